/**
 * The checks of a task's options at registration: each wrong option is refused with an
 * InvalidOptionsError that names the task and the option. Also what differs between two
 * registrations of one function, for the error of a second one that disagrees.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import { fitsTimer } from '../util/long-timer';
import { checkAdmission, type AdmissionOptions, type AdmissionRule } from './admission';
import { checkCron } from './cron';
import { checkPerpetual, type Recurrence } from './perpetual';
import type { CronOptions } from './cron';
import type { PerpetualOptions } from './perpetual';

/** A task's concurrency limit as the registry keeps it. */
export interface ConcurrencyLimit {
  readonly limit: number;
  /** The limit's key for a run's arguments (per value), or undefined (one limit for the task). */
  readonly key?: (args: unknown[]) => string;
}

/**
 * At most `limit` runs of the task at once across every worker of the docket, or with `key`, at
 * most `limit` at once per value of the key (one order per customer at a time, say). A run that
 * finds the limit reached waits SCHEDULED, its message acknowledged, and is queued again as soon
 * as a run holding the limit ends; it keeps its key, generation and attempt. A worker that dies
 * holding a place loses it once its lease lapses (`redeliveryTimeout`).
 *
 * @typeParam A the task's arguments, which `key` is given
 * @example
 * docket.register(callPartnerApi, { concurrency: 5 });
 * docket.register(syncCustomer, { concurrency: { limit: 1, key: (customerId: string) => customerId } });
 */
export interface ConcurrencyOptions<A extends unknown[] = unknown[]> {
  /** How many runs may go at once (per key value, with `key`): a whole number ≥ 1. */
  limit: number;
  /** The value runs share the limit by, from the run's arguments (as the caller passed them). */
  key?: (...args: A) => string | number;
}

/**
 * How a task that throws is tried again. Each retry goes back as an add would: QUEUED when it is
 * due at once, else SCHEDULED (its event carries the error); any worker may take it when it is
 * due, and `attempt` counts up. `getResult()` waits through the retries; the execution is
 * FAILED, with the last error, only once the attempts are used up. A cancelled run is not retried.
 *
 * @example
 * docket.register(chargeCard, { retry: { attempts: 5, delay: 1_000, backoff: 'exponential' } });
 */
export interface RetryOptions {
  /** How many times the task may run in all, the first run included (1 = no retry; Infinity = until it succeeds). */
  attempts: number;
  /** The wait before the first retry, in ms. @default 0 */
  delay?: number;
  /** 'fixed' waits `delay` every time; 'exponential' doubles it after each retry. @default 'fixed' */
  backoff?: 'fixed' | 'exponential';
  /** The longest wait between two attempts, in ms. @default 3_600_000 (an hour) */
  maxDelay?: number;
}

/** The options of a registration that change how its runs behave (compared between two registrations). */
interface BehaviourOptions {
  retry?: RetryOptions;
  timeout?: number;
  concurrency?: number | ConcurrencyOptions<never[]>;
  perpetual?: PerpetualOptions;
  cron?: CronOptions;
  debounce?: AdmissionOptions<never[]>;
  cooldown?: AdmissionOptions<never[]>;
  rateLimit?: unknown;
}

export const DEFAULT_MAX_RETRY_DELAY_MS = 3_600_000;

export function checkRetry(task: string, retry: RetryOptions): Readonly<RetryOptions> {
  const { attempts, delay = 0, backoff = 'fixed', maxDelay = DEFAULT_MAX_RETRY_DELAY_MS } = retry;
  const where = `Task "${task}": retry`;
  if (!(Number.isInteger(attempts) || attempts === Infinity) || attempts < 1) {
    throw new InvalidOptionsError(`${where}.attempts must be a whole number ≥ 1 (the runs in all, the first included) or Infinity, got ${attempts}`);
  }
  if (!Number.isFinite(delay) || delay < 0) throw new InvalidOptionsError(`${where}.delay must be a number of ms ≥ 0, got ${delay}`);
  if (!Number.isFinite(maxDelay) || maxDelay < delay) {
    throw new InvalidOptionsError(`${where}.maxDelay must be a number of ms ≥ delay (${delay}), got ${maxDelay}`);
  }
  if (backoff !== 'fixed' && backoff !== 'exponential') {
    throw new InvalidOptionsError(`${where}.backoff must be 'fixed' or 'exponential', got ${String(backoff)}`);
  }
  return Object.freeze({ attempts, delay, backoff, maxDelay });
}

export function checkConcurrency(task: string, concurrency: number | ConcurrencyOptions<never[]>): Readonly<ConcurrencyLimit> {
  const { limit, key } = typeof concurrency === 'number' ? { limit: concurrency, key: undefined } : concurrency;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidOptionsError(`Task "${task}": concurrency${typeof concurrency === 'number' ? '' : '.limit'} must be a whole number ≥ 1 (the runs at once), got ${limit}`);
  }
  if (key !== undefined && typeof key !== 'function') {
    throw new InvalidOptionsError(`Task "${task}": concurrency.key must be a function of the task's arguments, got ${typeof key}`);
  }
  return Object.freeze({ limit, key: key && ((args: unknown[]) => String((key as (...a: unknown[]) => string | number)(...args))) });
}

export function checkTimeout(task: string, timeout: number): number {
  // setTimeout fires at once past 2^31 − 1 ms (about 24.8 days).
  if (timeout <= 0 || !fitsTimer(timeout)) {
    throw new InvalidOptionsError(`Task "${task}": timeout must be a number of ms > 0 and at most 2147483647, got ${timeout}`);
  }
  return timeout;
}

/** The checked `debounce` and `cooldown` of a task: one of them at most. */
export function admissionOf(task: string, { debounce, cooldown }: BehaviourOptions): { debounce?: AdmissionRule; cooldown?: AdmissionRule } {
  if (debounce !== undefined && cooldown !== undefined) throw new InvalidOptionsError(`Task "${task}": give debounce or cooldown, not both`);
  return {
    debounce: debounce === undefined ? undefined : checkAdmission(task, 'debounce', debounce),
    cooldown: cooldown === undefined ? undefined : checkAdmission(task, 'cooldown', cooldown),
  };
}

export function recurrenceOf(task: string, { perpetual, cron }: BehaviourOptions): Recurrence | undefined {
  if (perpetual !== undefined && cron !== undefined) throw new InvalidOptionsError(`Task "${task}": give perpetual or cron, not both`);
  return perpetual !== undefined ? checkPerpetual(task, perpetual) : cron !== undefined ? checkCron(task, cron) : undefined;
}

/** What differs between two registrations' behaviour options, each as `option: before → now`. */
export function differences(before: BehaviourOptions, now: BehaviourOptions): string[] {
  const shown = (value: unknown): string =>
    value === undefined ? 'none' : JSON.stringify(value, (_, v: unknown) => (typeof v === 'function' ? `${v.name || 'a'} function` : v));
  const concurrency = (c: BehaviourOptions['concurrency']): unknown => (typeof c === 'number' ? { limit: c } : c);
  const out: string[] = [];
  for (const [option, a, b] of [
    ['retry', before.retry, now.retry],
    ['timeout', before.timeout, now.timeout],
    ['concurrency', concurrency(before.concurrency), concurrency(now.concurrency)],
    ['perpetual', before.perpetual, now.perpetual],
    ['cron', before.cron, now.cron],
    ['debounce', before.debounce, now.debounce],
    ['cooldown', before.cooldown, now.cooldown],
    ['rateLimit', before.rateLimit, now.rateLimit],
  ] as const) {
    const same = shown(a) === shown(b) && (option !== 'concurrency' || (a as { key?: unknown } | undefined)?.key === (b as { key?: unknown } | undefined)?.key);
    if (!same) out.push(`${option}: ${shown(a)} → ${shown(b)}`);
  }
  return out;
}
