/**
 * What a backend keeps for an execution, as the engine reads it back: its record, and the
 * delivery of its message to a worker.
 */
import type { ExecutionState } from '../execution/execution-state.enum';

/** An execution record: state, task, arguments, timestamps, progress and outcome. */
export interface ExecutionRecord {
  key: string;
  state: ExecutionState;
  task: string;
  args: string;
  when: number;
  generation: string;
  seq: number;
  stateSeq: number;
  progressSeq: number;
  attempt: number;
  worker?: string;
  startedAt?: number;
  completedAt?: number;
  error?: string;
  failure?: string;
  result?: string;
  cancelRequested: boolean;
  /** What a SCHEDULED run waits for besides its time: a place of a concurrency limit, a worker that has its task. */
  waitingFor?: string;
  /** How many times workers without its task put it back. */
  deferrals?: number;
  /** Since when no live worker had its task (epoch ms), while it is put back for want of one. */
  unknownSince?: number;
  progress?: { current: number; total: number; message: string | null; updatedAt: number };
  /** For a run of a perpetual or cron task after the first: how the task repeats, in words. */
  recurrence?: string;
  /** For a run of a perpetual or cron task after the first: the run before it, how it ended and when. */
  lastOutcome?: { state: ExecutionState; at: number };
}

/** A message of due work delivered to a worker. */
export interface Delivery {
  id: string;
  key: string;
  generation: string;
  redelivered: boolean;
}
