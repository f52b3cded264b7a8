/**
 * Admission rules decided at the add, for the whole fleet at once:
 * - debounce (trailing edge): calls of a task (or of one value of its key) go under one
 *   execution key and each replaces the one before with a due time `window` later, so one run
 *   happens, with the last call's arguments, once calls stop for `window`. It is the schedule
 *   script's replace: one script per add, no poll.
 * - cooldown (leading edge): the first call of a window is written; the schedule script drops the
 *   others of its group (SET NX PX on the group's marker, in the same script).
 * And one decided at the claim, where a run is known to start now, which is what it counts:
 * - rate limit: at most `limit` runs of a group start in any `per` ms (a sliding window in the
 *   rate script); a run over it goes back to SCHEDULED at the next free slot, or with `drop` ends
 *   CANCELLED.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import { fitsTimer } from '../util/long-timer';

/**
 * A window (ms), or a window per value of a key of the arguments (as `concurrency`'s key).
 *
 * @example
 * docket.register(reindex, { debounce: 5_000 });                                            // per task
 * docket.register(syncCustomer, { debounce: { window: 5_000, key: (id: string) => id } });  // per customer
 */
export type AdmissionOptions<A extends unknown[] = unknown[]> = number | { window: number; key?: (...args: A) => string | number };

/** @internal A checked admission rule. */
export interface AdmissionRule {
  readonly window: number;
  readonly key?: (args: unknown[]) => string;
}

/** @internal Checks a `debounce` (or other window) option, naming the task and the option. */
export function checkAdmission(task: string, option: string, given: AdmissionOptions<never[]>): AdmissionRule {
  const { window, key } = typeof given === 'number' ? { window: given, key: undefined } : (given ?? {});
  if (typeof window !== 'number' || !(window > 0) || !fitsTimer(window)) {
    const what = option === 'rateLimit' ? 'rateLimit.per' : `${option} window`;
    throw new InvalidOptionsError(`Task "${task}": ${what} must be a number of ms > 0 and at most 2147483647, got ${String(window)}`);
  }
  if (key !== undefined && typeof key !== 'function') throw new InvalidOptionsError(`Task "${task}": ${option}.key must be a function of the task's arguments, got ${typeof key}`);
  const byValue = key as ((...args: unknown[]) => string | number) | undefined;
  return Object.freeze({ window, key: byValue && ((args: unknown[]) => String(byValue(...args))) });
}

/**
 * @internal The group a call falls in under `rule`: the task's name, or the name and the key's
 * value for these arguments.
 *
 * @throws InvalidOptionsError when the key function throws for these arguments (nothing is added).
 */
export function admissionGroup(task: string, option: string, rule: AdmissionRule, args: unknown[]): string {
  if (!rule.key) return task;
  try {
    return `${task}:${rule.key(args)}`;
  } catch (err) {
    throw new InvalidOptionsError(`Task "${task}": ${option}.key threw for these arguments (${err instanceof Error ? err.message : String(err)}); nothing was added. Make the key function total over the task's arguments.`);
  }
}

/**
 * At most `limit` runs start in any `per` ms, across the fleet, per task or per value of `key`;
 * over it a run waits for the next free slot, or with `drop` is dropped (CANCELLED).
 *
 * @example
 * docket.register(callPartnerApi, { rateLimit: { limit: 10, per: 1_000 } });
 * docket.register(sendSms, { rateLimit: { limit: 1, per: 60_000, key: (phone: string) => phone, drop: true } });
 */
export interface RateLimitOptions<A extends unknown[] = unknown[]> {
  limit: number;
  per: number;
  key?: (...args: A) => string | number;
  drop?: boolean;
}

/** @internal A checked rate limit. */
export interface RateLimitRule extends AdmissionRule {
  readonly limit: number;
  readonly drop: boolean;
}

/** @internal Checks a `rateLimit` option, naming the task and what is wrong. */
export function checkRateLimit(task: string, given: RateLimitOptions<never[]>): RateLimitRule {
  const { limit, per, key, drop = false } = given ?? ({} as RateLimitOptions<never[]>);
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidOptionsError(`Task "${task}": rateLimit.limit must be a whole number ≥ 1, got ${String(limit)}`);
  if (typeof drop !== 'boolean') throw new InvalidOptionsError(`Task "${task}": rateLimit.drop must be true or false, got ${String(drop)}`);
  const rule = checkAdmission(task, 'rateLimit', { window: per, key });
  return Object.freeze({ ...rule, limit, drop });
}
