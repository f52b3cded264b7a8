import { hostname } from 'node:os';
import { InvalidOptionsError } from '../errors/docket.errors';
import type { TaskFunction } from '../tasks/task-registry';
import type { DocketLogger } from '../util/logger';
import { fitsTimer, MAX_TIMER_MS } from '../util/long-timer';

/**
 * Options of {@link Worker.stop}.
 *
 * @example
 * await worker.stop({ drainTimeout: 10_000 });
 */
export interface StopOptions {
  /** How long (ms) to wait for running tasks; the rest is left to redelivery. @default the worker's drainTimeout */
  drainTimeout?: number;
}

/**
 * Options of a {@link Worker}.
 *
 * @example
 * const worker = new Worker(docket, { concurrency: 20, redeliveryTimeout: 60_000 });
 */
export interface WorkerOptions {
  /** The consumer name, shown in events and snapshots. @default `${hostname}#${pid}` */
  name?: string;
  /** How many tasks run at once. @default 10 */
  concurrency?: number;
  /**
   * How long (ms) a message may sit unacknowledged with no lease renewal before another worker
   * takes it over (its worker is presumed dead). Live workers renew every quarter of this.
   * @default 300000 (5 minutes)
   */
  redeliveryTimeout?: number;
  /** How often (ms) due scheduled work is moved to the stream. @default 250 */
  schedulingResolution?: number;
  /** How often (ms) the worker announces itself. @default 2000 */
  heartbeatInterval?: number;
  /** How long (ms) `stop()` waits for running tasks by default. @default 30000 */
  drainTimeout?: number;
  /** Where log lines go. @default the docket's logger */
  logger?: DocketLogger;
  /**
   * A task (registered on the docket, by function or name) that runs the runs of tasks this
   * worker does not have, with their arguments; `currentTask().taskName` is the missing task's
   * name. Without it, such runs are put back for a worker that has the task.
   * @example { fallback: async function unknownTask(...args: unknown[]) { console.warn(currentTask().taskName, args); } }
   */
  fallback?: TaskFunction | string;
  /**
   * How long (ms) a run is put back while no live worker of the docket has its task, before it
   * ends FAILED with UnknownTaskError. @default 300000 (5 minutes)
   */
  unknownTaskTimeout?: number;
}

/** Worker options with defaults filled in. */
export type ResolvedWorkerOptions = Required<Omit<WorkerOptions, 'fallback'>> & Pick<WorkerOptions, 'fallback'>;

let instances = 0;

/** Fills in the defaults of {@link WorkerOptions}; the only place they are written. */
export function resolveWorkerOptions(options: WorkerOptions, logger: DocketLogger): ResolvedWorkerOptions {
  const n = ++instances;
  const resolved: ResolvedWorkerOptions = {
    name: options.name ?? `${hostname()}#${process.pid}${n > 1 ? `-${n}` : ''}`,
    concurrency: options.concurrency ?? 10,
    redeliveryTimeout: options.redeliveryTimeout ?? 5 * 60_000,
    schedulingResolution: options.schedulingResolution ?? 250,
    heartbeatInterval: options.heartbeatInterval ?? 2_000,
    drainTimeout: options.drainTimeout ?? 30_000,
    logger: options.logger ?? logger,
    fallback: options.fallback,
    unknownTaskTimeout: options.unknownTaskTimeout ?? 5 * 60_000,
  };
  for (const key of ['concurrency', 'redeliveryTimeout', 'schedulingResolution', 'heartbeatInterval'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] <= 0) {
      throw new RangeError(`Worker option ${key} must be a positive number, got ${resolved[key]}`);
    }
  }
  for (const key of ['redeliveryTimeout', 'schedulingResolution', 'heartbeatInterval', 'drainTimeout', 'unknownTaskTimeout'] as const) checkDelay(key, resolved[key]);
  return resolved;
}

/** A delay a timer will wait: a number of ms from 0 to {@link MAX_TIMER_MS}; InvalidOptionsError otherwise. */
export function checkDelay(option: string, ms: number): number {
  if (!fitsTimer(ms)) {
    throw new InvalidOptionsError(`Worker option ${option} must be a number of ms from 0 to ${MAX_TIMER_MS} (about 24.8 days), got ${ms}`);
  }
  return ms;
}

/**
 * A worker that has not heartbeated for this long (ms) is considered gone.
 *
 * @example
 * const alive = (await docket.workers()).every((w) => Date.now() - w.lastSeen.getTime() < WORKER_TTL_MS);
 */
export const WORKER_TTL_MS = 10_000;
