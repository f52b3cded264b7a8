import { ExecutionState } from '../execution/execution-state.enum';
import type { DocketStore, ExecutionRecord, WorkerInfo } from '../store';

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
  /** SCHEDULED for want of a place: the concurrency limit it waits for. */
  waitingFor?: string;
  /** A perpetual or cron task's run: how it repeats, and how the run before it ended. */
  recurrence?: string;
  lastOutcome?: { state: ExecutionState; at: Date };
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
  /** Items in the quarantine: what the engine could not read or write (see `docket.quarantine`). */
  quarantined: number;
}

/** @internal The records of what is in the stream or the queue (up to `limit` of each), and their lengths. */
export async function readPending(
  store: DocketStore,
  limit: number,
): Promise<{ records: (ExecutionRecord | null)[]; streamLength: number; queueLength: number; quarantined: number }> {
  const pending = await store.pendingKeys(limit);
  const records = await store.readMany([...new Set([...pending.streamed, ...pending.scheduled])]);
  return { records, streamLength: pending.streamLength, queueLength: pending.queueLength, quarantined: pending.quarantineLength };
}

/** @internal Sorts records into running, queued and scheduled (soonest first) summaries. */
export function summarize(records: readonly (ExecutionRecord | null)[]): Pick<DocketSnapshot, 'running' | 'queued' | 'scheduled'> {
  const running: ExecutionSummary[] = [];
  const queued: ExecutionSummary[] = [];
  const scheduled: ExecutionSummary[] = [];
  for (const record of records) {
    if (!record) continue;
    const summary: ExecutionSummary = {
      key: record.key,
      task: record.task,
      state: record.state,
      when: new Date(record.when),
      worker: record.worker,
      startedAt: record.startedAt !== undefined ? new Date(record.startedAt) : undefined,
      progress: record.progress && { current: record.progress.current, total: record.progress.total, message: record.progress.message },
      waitingFor: record.waitingFor,
      recurrence: record.recurrence,
      lastOutcome: record.lastOutcome && { state: record.lastOutcome.state, at: new Date(record.lastOutcome.at) },
    };
    if (record.state === ExecutionState.RUNNING) running.push(summary);
    else if (record.state === ExecutionState.QUEUED) queued.push(summary);
    else if (record.state === ExecutionState.SCHEDULED) scheduled.push(summary);
  }
  scheduled.sort((a, b) => a.when.getTime() - b.when.getTime());
  return { running, queued, scheduled };
}

/** @internal Cancels every scheduled and queued execution, a page at a time; how many it cancelled. */
export async function clearPending(store: DocketStore, ttlMs: number): Promise<number> {
  let cleared = 0;
  for (;;) {
    const { records } = await readPending(store, 1000);
    const targets = records.filter((r) => r && (r.state === ExecutionState.QUEUED || r.state === ExecutionState.SCHEDULED));
    if (targets.length === 0) return cleared;
    const now = Date.now();
    const outcomes = await Promise.all(targets.map((r) => store.cancel(r!.key, now, ttlMs)));
    cleared += outcomes.filter((o) => o === 'cancelled').length;
  }
}
