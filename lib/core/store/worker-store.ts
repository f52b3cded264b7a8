/**
 * A worker's side of the store port: claiming messages, recording outcomes and progress,
 * concurrency places, moving due work, leases, the redelivery sweep and heartbeats.
 */
import type { ExecutionState } from '../execution/execution-state.enum';
import type { DocketStore, WorkerInfo } from './docket-store';
import type { Delivery } from './execution-record';

/** What a read-and-claim brought: runs to start, messages read, the last message id read. */
export interface Fetched {
  runs: ClaimedRun[];
  read: number;
  lastId?: string;
}

/** A claimed run, ready to execute. */
export interface ClaimedRun extends Delivery {
  task: string;
  args: string;
  attempt: number;
  when: number;
  cancelRequested: boolean;
  /** The trace context its add sent (JSON of the propagator's fields), '' for none. */
  trace: string;
}

/** A run's place in a concurrency limit: the limit's name (`task` or `task:value`) and size. */
export interface Place {
  name: string;
  size: number;
}

/** A terminal outcome waiting to be written. */
export interface Completion {
  key: string;
  messageId: string;
  generation: string;
  outcome: ExecutionState.COMPLETED | ExecutionState.FAILED | ExecutionState.CANCELLED;
  result: string;
  errorSummary: string;
  failure: string;
  /** For a failed run to be tried again: when (epoch ms). The run goes back to SCHEDULED. */
  retryAt?: number;
  /**
   * For a run of a perpetual task that ended (not tried again): when the next run under the same
   * key is due (epoch ms). The same script records the outcome and schedules it.
   */
  next?: number;
  /** With `next`: how the task repeats, in words (kept on the next run's record, for snapshots). */
  recurrence?: string;
  /** The concurrency limit whose place the run held, given up with this outcome. */
  place?: Place;
}

/** Outcomes an idle worker sends in the same write as its next wait (see {@link StreamWaiter}). */
export interface OutcomesAhead {
  batch: readonly Completion[];
  now: number;
  /** Hears the outcome write's answer: null, or the error it failed with. */
  settled: (err: Error | null) => void;
}

/** What `acquire` answered: see {@link WorkerStore.acquire}. */
/** A rate limit as the claim checks it: at most `limit` runs of the group start in any `per` ms. */
export interface RateRule {
  /** The group: the task's name, or the name and the key's value. */
  group: string;
  limit: number;
  per: number;
  /** Over the limit, the run is dropped (CANCELLED) instead of moved to the next free slot. */
  drop: boolean;
}

/** What a rate limit said of a claimed run: start it, or it was moved, dropped or replaced (acknowledged, not to start). */
export type RateAnswer = 'admitted' | 'later' | 'dropped' | 'replaced';

export type PlaceAnswer = 'acquired' | 'parked' | 'replaced' | 'cancelled';

/** A docket's store as a worker uses it, on the worker's own connection. */
export interface WorkerStore extends DocketStore {
  /** Makes the consumer group (and the stream) when they do not exist yet. */
  ensureGroup(): Promise<void>;
  /** Claims a batch of deliveries in one round trip; skipped ones are acknowledged already. */
  claim(deliveries: readonly Delivery[], worker: string, now: number, ttlMs: number): Promise<ClaimedRun[]>;
  /** Reads and claims up to `count` new messages in one round trip. */
  claimNext(worker: string, count: number, now: number, ttlMs: number): Promise<Fetched>;
  /** The messages delivered to `worker` and not acknowledged yet, up to `count`. */
  ownPending(worker: string, count: number): Promise<Delivery[]>;
  /** Writes the terminal outcomes of a batch of runs, one state change each. */
  complete(batch: readonly Completion[], now: number, ttlMs: number): Promise<string[]>;
  /**
   * Moves an outcome the store refused to record to the quarantine, with `reason`, and
   * acknowledges its message: the run is not taken up again.
   */
  quarantineOutcome(completion: Completion, reason: string, now: number, ttlMs: number): Promise<void>;
  /**
   * True when the store refused the command itself (it would refuse it again), as opposed to a
   * failed connection or a state the store is in for now (out of memory, read-only, loading).
   */
  isRefused(err: unknown): boolean;
  /** Records and publishes a run's progress; false when the run is no longer that generation's. */
  progress(key: string, generation: string, now: number, current: number, total: number, message: string | null): Promise<boolean>;
  /**
   * Takes a place of a concurrency limit for `run`, or parks the run until one frees up.
   *
   * @returns 'acquired'; 'parked' (the run must not start: it is SCHEDULED again and will be
   *   queued when a place frees up); 'replaced' (the record moved on: replaced, or taken up
   *   elsewhere; it must not start); or 'cancelled' (asked to cancel since its claim: it must not
   *   start)
   */
  acquire(run: ClaimedRun, place: Place, now: number, leaseMs: number): Promise<PlaceAnswer>;
  /**
   * Puts a claimed run back, due at `at`, for a worker that has its task; `since` is when no
   * live worker was first seen to have it (undefined: one has it), `waitingFor` what it waits for.
   *
   * @returns 'left'; 'replaced' (the record moved on: it must not start); 'cancelled' (asked to
   *   cancel: it ends CANCELLED without starting)
   */
  /** Admits `run` under `rule`, or holds it back (see the rate script). */
  admitRate(run: ClaimedRun, rule: RateRule, now: number, ttlMs: number): Promise<RateAnswer>;
  /**
   * Gives back the slot `run` took in `group`'s window when it did not start after all (its
   * concurrency limit parked it): it is admitted again, and counted once, when it does start.
   */
  returnRate(run: ClaimedRun, group: string): Promise<void>;
  leave(run: ClaimedRun, at: number, since: number | undefined, now: number, waitingFor: string): Promise<'left' | 'replaced' | 'cancelled'>;
  /**
   * Moves up to `limit` scheduled executions due by `now` to the stream (one that cannot be read
   * is quarantined); how many it took up, so fewer than `limit` means none is due any more.
   */
  streamDue(now: number, limit: number, ttlMs: number): Promise<number>;
  /** Keeps the messages `ids` from any sweep, and extends the leases of the places they hold by `leaseMs`. */
  renewLeases(consumer: string, ids: readonly string[], places: readonly { id: string; place: Place }[], leaseMs: number): Promise<void>;
  /**
   * One step of the fleet-wide redelivery sweep: one worker sweeps at a time, continuing from a
   * shared cursor, and claims up to `count` messages idle longer than `minIdleMs`.
   */
  sweep(consumer: string, minIdleMs: number, count: number, leaseMs: number): Promise<Delivery[]>;
  heartbeat(info: WorkerInfo, ttlMs: number): Promise<void>;
  removeWorker(name: string): Promise<void>;
  /** Calls `listener` each time the connection is back after an outage. */
  onReconnect(listener: () => void): void;
  /** True for the error of a read whose consumer group is gone (the stream was deleted). */
  isMissingGroup(err: unknown): boolean;
  /** True for a command given up because its connection closed under it: the work is simply tried again. */
  isInterrupted(err: unknown): boolean;
  /**
   * True for a failed write of outcomes sent with a wait that is simply retried the usual way
   * without a warning: the connection closed under it, or the server lost its scripts.
   */
  isTransient(err: Error): boolean;
}
