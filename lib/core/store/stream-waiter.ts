/** The port of a worker's wait for new work. */
import type { Fetched, OutcomesAhead } from './worker-store';

/** One wait of an idle worker. */
export interface WaitRequest {
  worker: string;
  count: number;
  blockMs: number;
  /** The highest message id delivered to this worker before. */
  after: string;
  ttlMs: number;
  /** Outcomes to record first, in the same write. */
  ahead?: OutcomesAhead;
}

/**
 * A worker's blocking wait on the stream of due work, with the claim of what arrives in the
 * same round trip, on a connection of its own.
 */
export interface StreamWaiter {
  /** Waits up to `blockMs` for new messages and claims them. */
  wait(request: WaitRequest): Promise<Fetched>;
  /** Ends the wait that is on, if any, so that the worker's loop sees its stop. */
  end(): Promise<void>;
  /** Calls `listener` each time the connection is back after an outage. */
  onReconnect(listener: () => void): void;
  /** Drops the connection at once. */
  disconnect(): void;
}
