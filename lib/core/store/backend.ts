/** The port of a storage backend: what a docket opens to reach its stores and pub/sub. */
import type { ConnectionOptions } from 'node:tls';
import type { DocketLogger } from '../util/logger';
import type { DocketKeys } from './docket-keys';
import type { DocketStore } from './docket-store';
import type { StreamWaiter } from './stream-waiter';
import type { SubscriberHub } from './subscriber-hub';
import type { WorkerStore } from './worker-store';

/** What a backend is made from: the docket's name and connection settings. */
export interface BackendOptions {
  readonly name: string;
  readonly url: string;
  readonly tls?: ConnectionOptions;
  readonly logger: DocketLogger;
  /** Put every key of the docket under one hash tag (a backend may require it anyway). */
  readonly hashTag: boolean;
  /** How long (ms) a producer's command may wait for an answer. */
  readonly commandTimeout: number;
}

/**
 * One docket's way to its backend. Making it opens nothing; each `open` makes a connection of
 * its own, which the caller closes.
 */
export interface Backend {
  /** The names of the docket's keys and channels. */
  readonly keys: DocketKeys;
  /** A producer's store; it fails fast while the backend is down. */
  openDocketStore(): Promise<DocketStore>;
  /** A worker's store; it waits out outages (outcomes must not be lost). */
  openWorkerStore(): Promise<WorkerStore>;
  /** A worker's blocking wait, beside `store` (opened by this backend), which ends the wait. */
  openStreamWaiter(store: WorkerStore): Promise<StreamWaiter>;
  /** The process's shared subscriber for this backend; give it back with `release()`. */
  acquireSubscriber(): SubscriberHub;
  /** Wraps a failure to reach the backend in a RedisUnavailableError; other errors pass through. */
  unavailable(err: unknown): Error;
  /**
   * The clock due times are counted on (epoch ms): the wall clock for Redis; a memory space's
   * clock, which a test may move ahead. A `delay` and a retry's wait start from it.
   */
  now(): number;
  /** Moves {@link Backend.now} `ms` ahead, so that scheduled and retried work comes due; only a memory backend has it. */
  advanceClock?(ms: number): void;
  /**
   * Lets each task name or execution key in `limits` start at most that many more runs, holding
   * the rest where they are until the returned function is called; only a memory backend has it.
   */
  limitRuns?(limits: Readonly<Record<string, number>>): () => void;
}
