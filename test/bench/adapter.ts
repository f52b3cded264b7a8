/**
 * The common interface of the three systems under test. Each adapter uses its library
 * idiomatically with its defaults, with these exceptions, each said in docs/performance.md's
 * settings table: docket runs silent in the headline rows (its default logger writes two lines
 * per task; the peers log nothing per task) and with its default logger in a row of its own;
 * bee-queue's producer sets `storeJobs: false` and its worker sends no events in drains; BullMQ's
 * results are heard both through `waitUntilFinished` and through a queue-level listener. Only
 * what the scenarios need is exposed.
 */
import type Redis from 'ioredis';

export type SystemId = 'docket' | 'bullmq' | 'bee-queue';

export const SYSTEM_IDS: readonly SystemId[] = ['docket', 'bullmq', 'bee-queue'];

/** Where the private bench server is and which queue (docket) name to use. */
export interface Target {
  host: string;
  port: number;
  queue: string;
}

/**
 * A task's data, ≈30 bytes of JSON like the anchor's `{i, t}`. With `u`, the task reports
 * progress `u` times (values 1..u), sleeping `ms` between updates, after waiting `w` ms first.
 */
export interface Payload {
  i: number;
  t: number;
  u?: number;
  ms?: number;
  w?: number;
}

export interface ProducerSpec {
  /** Keep nothing once finished (docket executionTtl 0, BullMQ removeOnComplete, bee-queue removeOnSuccess). */
  fireAndForget: boolean;
  /** Keep what finished this long (docket executionTtl, BullMQ removeOnComplete by age); not with fireAndForget. */
  keepMs?: number;
  /** This producer waits for results or listens for progress (opens the event connection). */
  observe: boolean;
  /**
   * How `submit` learns of a result. 'documented': the library's per-job wait (BullMQ
   * `job.waitUntilFinished`). 'fastest': its fastest documented way, a queue-level listener with
   * an id map (BullMQ's QueueEvents 'completed'); docket and bee-queue have one way each.
   */
  results?: 'documented' | 'fastest';
}

export interface WorkerSpec {
  concurrency: number;
  fireAndForget: boolean;
  /** As ProducerSpec.keepMs: docket's worker applies executionTtl; BullMQ's job options carry it. */
  keepMs?: number;
  /** The worker process stamps the start of every markEvery-th task (WorkerReport.marks). */
  markEvery?: number;
  /**
   * Whether anyone listens for the jobs' events (default true). bee-queue's worker then does not
   * publish an event per job nobody hears (`sendEvents: false`); BullMQ's worker has no such
   * setting and always appends to its events stream; docket publishes a state event only to a
   * channel someone listens on, whatever this says.
   */
  events?: boolean;
  /** docket only: 'default' runs its default logger (two lines per task), written to /dev/null. */
  logging?: 'silent' | 'default';
  /**
   * The worker also turns scheduled (delayed) jobs into due ones. docket's and BullMQ's workers
   * always do; bee-queue's needs `activateDelayedJobs`, set only when this is true.
   */
  delayed?: boolean;
}

/**
 * One process watching many jobs, each on its own (the scale scenario's many watchers): docket an
 * Observable per execution (`execution.subscribe()`), BullMQ a `QueueEvents` 'progress'
 * listener per job that keeps its job's events, bee-queue a 'job progress' listener per job.
 */
export interface Watchers {
  /** Starts one watch per id (it may be called again with more); resolves once every one of them is live. */
  watch(ids: readonly string[], listener: (id: string, value: number) => void): Promise<void>;
  close(): Promise<void>;
}

/** A job that was added and whose completion (result seen by the producer) can be awaited. */
export interface Submitted {
  id: string;
  done: Promise<void>;
}

export interface Producer {
  /** One add, awaited: resolves with the job's id once the library says it is stored. */
  add(payload: Payload): Promise<string>;
  /** The library's batch API (docket.call + addMany, BullMQ addBulk, bee-queue saveAll). */
  addBulk(payloads: readonly Payload[]): Promise<void>;
  /**
   * The batch API with a due time per job (epoch ms, in the future): docket `call(…, { when })`
   * + addMany, BullMQ addBulk with `delay`, bee-queue `delayUntil` + saveAll.
   */
  addScheduled(payloads: readonly Payload[], dueAt: readonly number[]): Promise<void>;
  /** Adds one job; `done` settles once this producer has seen its result. */
  submit(payload: Payload): Promise<Submitted>;
  /** Calls `listener(jobId, value)` for every progress event; resolves once listening. */
  onProgress(listener: (id: string, value: number) => void): Promise<void>;
  close(): Promise<void>;
}

/** What the worker process records about the tasks it runs (see agent.ts). */
export interface TaskProbe {
  /** Called first thing in every task. */
  started(): void;
  /** Stamps (nowMs) taken just before each progress update of job `id`. */
  record(id: string, stamps: number[]): void;
}

export interface BenchWorker {
  /** Starts processing (the worker is constructed and, where the library allows, connected). */
  run(): void;
  /** Stops processing and closes every connection of this worker. */
  stop(): Promise<void>;
}

export interface SystemAdapter {
  readonly id: SystemId;
  readonly label: string;
  producer(target: Target, spec: ProducerSpec): Promise<Producer>;
  worker(target: Target, spec: WorkerSpec, probe: TaskProbe): Promise<BenchWorker>;
  /**
   * A connected watcher (its connections open, nothing watched yet). docket only, `pattern`: one
   * `events$()` (a pattern subscription) dispatched by key, instead of an Observable per execution.
   */
  watchers(target: Target, pattern?: boolean): Promise<Watchers>;
  /** Jobs added but not finished yet, read from Redis (0 ⇒ every completion is recorded). */
  remaining(admin: Redis, target: Target): Promise<number>;
  /** Jobs scheduled for later and not yet made due (docket's queue, BullMQ's and bee-queue's delayed set). */
  scheduled(admin: Redis, target: Target): Promise<number>;
}
