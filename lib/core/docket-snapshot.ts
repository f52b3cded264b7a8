import type { ExecutionState } from './execution-state.enum';
import type { WorkerInfo } from './redis/docket-store';

/**
 * One pending or running execution as a snapshot shows it.
 *
 * @example
 * for (const e of (await docket.snapshot()).running) console.log(e.key, e.worker);
 */
export interface ExecutionSummary {
  key: string;
  task: string;
  state: ExecutionState;
  when: Date;
  worker?: string;
  startedAt?: Date;
  progress?: { current: number; total: number; message: string | null };
}

/**
 * What a docket holds at one moment.
 *
 * @example
 * const snap = await docket.snapshot();
 * console.log(`${snap.running.length} running, ${snap.queued.length} queued`);
 */
export interface DocketSnapshot {
  takenAt: Date;
  running: ExecutionSummary[];
  queued: ExecutionSummary[];
  scheduled: ExecutionSummary[];
  workers: WorkerInfo[];
  /** Entries in the stream (queued and running). */
  streamLength: number;
  /** Members of the queue (scheduled). */
  queueLength: number;
}
