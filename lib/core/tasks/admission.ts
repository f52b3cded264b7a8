/**
 * Admission rules decided at the add, for the whole fleet at once:
 * - debounce (trailing edge): calls of a task (or of one value of its key) go under one
 *   execution key and each replaces the one before with a due time `window` later, so one run
 *   happens, with the last call's arguments, once calls stop for `window`. It is the schedule
 *   script's replace: one script per add, no poll.
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
    throw new InvalidOptionsError(`Task "${task}": ${option} window must be a number of ms > 0 and at most 2147483647, got ${String(window)}`);
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
