/**
 * The health of a docket as an operator sees it: Redis answers in time, enough workers are alive,
 * and the work due is neither too much nor waiting too long. One round trip to Redis.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import { answerWithin } from '../util/deadline';
import type { DocketDepths, DocketStore } from '../store';

/**
 * Thresholds of {@link Docket.health}. Only the round trip and the worker count are checked by
 * default; the queue is checked when a bound is given.
 *
 * @example
 * const health = await docket.health({ timeout: 500, minWorkers: 2, maxQueued: 10_000, maxDueAge: 60_000 });
 */
export interface HealthOptions {
  /** The longest round trip to Redis (ms) that counts as healthy. @default 1000 */
  timeout?: number;
  /** The fewest live workers that counts as healthy (0: do not check). @default 1 */
  minWorkers?: number;
  /** The most executions due and not taken by a worker that counts as healthy. */
  maxQueued?: number;
  /** The longest (ms) the oldest due execution may have waited for a worker. */
  maxDueAge?: number;
}

/**
 * What {@link Docket.health} found.
 *
 * @example
 * const { healthy, problems } = await docket.health();
 * if (!healthy) console.error(problems.join('; '));
 */
export interface DocketHealth {
  /** True when every check passed. */
  healthy: boolean;
  /** One sentence for each check that failed; empty when healthy. */
  problems: string[];
  /** The round trip of the check's read (ms), when Redis answered. */
  roundTripMs?: number;
  /** What the docket holds, when Redis answered in time. */
  depths?: DocketDepths;
  /** How long (ms) the oldest due execution has waited for a worker; 0 when none waits. */
  oldestDueAgeMs?: number;
  /** When the check started. */
  checkedAt: Date;
}

/** The longest timer Node keeps (ms): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * @internal Refuses thresholds that cannot mean anything: not numbers, negative, or a `timeout`
 * of 0 or longer than a timer can wait.
 */
export function checkHealthOptions(options: HealthOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new InvalidOptionsError(`health({ ${name} }) must be a number ≥ 0, got ${String(value)}.`);
    }
  }
  const { timeout } = options;
  if (timeout !== undefined && (timeout <= 0 || timeout > MAX_TIMER_MS)) {
    throw new InvalidOptionsError(`health({ timeout }) must be more than 0 and at most ${MAX_TIMER_MS} ms, got ${timeout}.`);
  }
}

/** @internal Checks a docket's health through `withStore` (the producer's store, which fails fast). */
export async function checkHealth(
  withStore: <T>(use: (store: DocketStore) => Promise<T>) => Promise<T>,
  workerMaxAgeMs: number,
  options: HealthOptions,
): Promise<DocketHealth> {
  const { timeout = 1_000, minWorkers = 1, maxQueued, maxDueAge } = options;
  const checkedAt = new Date();
  const started = performance.now();
  const late = new Error(`Redis did not answer within ${timeout} ms`);
  let depths: DocketDepths;
  try {
    depths = await answerWithin(withStore((store) => store.depths(checkedAt.getTime(), workerMaxAgeMs)), timeout, late);
  } catch (err) {
    const problem = err === late ? late.message : `Redis could not be read: ${err instanceof Error ? err.message : String(err)}`;
    return { healthy: false, problems: [problem], checkedAt };
  }
  const roundTripMs = Math.round((performance.now() - started) * 10) / 10;
  const oldestDueAgeMs = depths.oldestDueAt === undefined ? 0 : Math.max(0, checkedAt.getTime() - depths.oldestDueAt.getTime());
  const problems: string[] = [];
  if (depths.liveWorkers < minWorkers) {
    problems.push(`${depths.liveWorkers} live worker${depths.liveWorkers === 1 ? '' : 's'}, fewer than ${minWorkers}`);
  }
  if (maxQueued !== undefined && depths.queued > maxQueued) problems.push(`${depths.queued} executions due and waiting, more than ${maxQueued}`);
  if (maxDueAge !== undefined && oldestDueAgeMs > maxDueAge) problems.push(`the oldest due execution has waited ${oldestDueAgeMs} ms, longer than ${maxDueAge} ms`);
  return { healthy: problems.length === 0, problems, roundTripMs, depths, oldestDueAgeMs, checkedAt };
}
