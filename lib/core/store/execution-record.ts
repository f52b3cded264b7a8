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
  /** The concurrency limit a parked run waits for a place of (SCHEDULED only). */
  waitingFor?: string;
  progress?: { current: number; total: number; message: string | null; updatedAt: number };
}

/** A message of due work delivered to a worker. */
export interface Delivery {
  id: string;
  key: string;
  generation: string;
  redelivered: boolean;
}
