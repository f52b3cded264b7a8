import { DuplicateTaskError, InvalidOptionsError, UnknownTaskError } from '../errors/docket.errors';
import type { TaskContext } from '../worker/task-context';
import { fitsTimer } from '../util/long-timer';
import { parameterNames, type ParameterName } from './parameter-names';
import { checkPerpetual, type PerpetualOptions } from './perpetual';

/**
 * Any function that can be a task. Its arguments travel through the codec; its (awaited)
 * return value is the execution's result.
 *
 * @example
 * const sendEmail: TaskFunction = async (to: string) => ({ sent: true });
 */
export type TaskFunction = (...args: never[]) => unknown;

/** How a registered task is called; the Nest layer supplies one that injects parameters. */
export type TaskInvoker = (args: unknown[], context: TaskContext) => unknown;

/** A task as the registry knows it. */
export interface TaskDefinition {
  readonly name: string;
  readonly fn: TaskFunction;
  readonly invoke: TaskInvoker;
  /** Where it was declared, for error messages (`OrderTasks.processOrder`). */
  readonly origin?: string;
  /** Renders a call for logs; without it, arguments are never shown. */
  readonly describe?: (args: unknown[]) => string;
  /** The caller's arguments by name, in order (strikes by parameter match on these). */
  readonly parameters: readonly ParameterName[];
  /** When a failed run is tried again; without it, a failure is final. */
  readonly retry?: Readonly<RetryOptions>;
  /** How long a run may take, in ms; without it, as long as it takes. */
  readonly timeout?: number;
  /** How many runs may go at once across the docket's workers; without it, any number. */
  readonly concurrency?: Readonly<ConcurrencyLimit>;
  readonly perpetual?: Readonly<PerpetualOptions>;
}

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

const DEFAULT_MAX_RETRY_DELAY_MS = 3_600_000;

function checkRetry(task: string, retry: RetryOptions): Readonly<RetryOptions> {
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

function checkConcurrency(task: string, concurrency: number | ConcurrencyOptions<never[]>): Readonly<ConcurrencyLimit> {
  const { limit, key } = typeof concurrency === 'number' ? { limit: concurrency, key: undefined } : concurrency;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidOptionsError(`Task "${task}": concurrency${typeof concurrency === 'number' ? '' : '.limit'} must be a whole number ≥ 1 (the runs at once), got ${limit}`);
  }
  if (key !== undefined && typeof key !== 'function') {
    throw new InvalidOptionsError(`Task "${task}": concurrency.key must be a function of the task's arguments, got ${typeof key}`);
  }
  return Object.freeze({ limit, key: key && ((args: unknown[]) => String((key as (...a: unknown[]) => string | number)(...args))) });
}

function checkTimeout(task: string, timeout: number): number {
  // setTimeout fires at once past 2^31 − 1 ms (about 24.8 days).
  if (timeout <= 0 || !fitsTimer(timeout)) {
    throw new InvalidOptionsError(`Task "${task}": timeout must be a number of ms > 0 and at most 2147483647, got ${timeout}`);
  }
  return timeout;
}

/**
 * When the run that just failed on attempt `attempt` is tried again (epoch ms), or undefined
 * when its attempts are used up.
 *
 * @example
 * retryAt({ attempts: 3, delay: 100, backoff: 'exponential' }, 2, Date.now()); // now + 200
 */
export function retryAt(retry: Readonly<RetryOptions>, attempt: number, now: number): number | undefined {
  if (attempt >= retry.attempts) return undefined;
  const base = retry.delay ?? 0;
  const wait = retry.backoff === 'exponential' ? base * 2 ** (attempt - 1) : base;
  return now + Math.min(wait, retry.maxDelay ?? DEFAULT_MAX_RETRY_DELAY_MS);
}

/**
 * Options of `docket.register`.
 *
 * @typeParam F the task function, whose arguments a concurrency key is given
 * @example
 * docket.register(sendEmail, { name: 'emails.send' });
 */
export interface RegisterOptions<F extends TaskFunction = TaskFunction> {
  /** The name on the wire; workers find the task by it. @default the function's name */
  name?: string;
  /** @internal How to call it; defaults to calling the function with the arguments. */
  invoke?: TaskInvoker;
  /** @internal Where it was declared, for error messages. */
  origin?: string;
  /** @internal Renders a call for logs (the Nest layer honours @Logged). */
  describe?: (args: unknown[]) => string;
  /** @internal The caller's parameters; by default read from the function's source. */
  parameters?: readonly ParameterName[];
  /** Tries a failed run again: see {@link RetryOptions}. */
  retry?: RetryOptions;
  /**
   * How long one run may take, in ms. Past it, the run's AbortSignal is aborted with a
   * TaskTimeoutError and the run fails with it (or is tried again, with `retry`).
   */
  timeout?: number;
  /** How many runs may go at once across the docket's workers: see {@link ConcurrencyOptions}. */
  concurrency?: number | ConcurrencyOptions<Parameters<F>>;
  /** Run again after each run, `every` ms after its due time (see {@link PerpetualOptions}). */
  perpetual?: PerpetualOptions;
}

/** The tasks of one docket, by name and by function. */
export class TaskRegistry {
  private readonly byName = new Map<string, TaskDefinition>();
  private readonly byFn = new Map<TaskFunction, TaskDefinition>();
  /** The options each task was registered with, as given: a second registration must repeat them. */
  private readonly given = new Map<TaskDefinition, RegisterOptions>();

  /**
   * Registers `fn`; registering it again with the same options changes nothing.
   *
   * @throws DuplicateTaskError for another function under the same name, or the same function
   *   again with other retry, timeout or concurrency options (naming what differs)
   */
  register(fn: TaskFunction, options: RegisterOptions = {}): TaskDefinition {
    const name = options.name ?? fn.name;
    if (!name) {
      throw new InvalidOptionsError('An anonymous function cannot be registered as a task: pass { name }.');
    }
    const existing = this.byName.get(name);
    if (existing) {
      if (existing.fn === fn) {
        const differs = differences(this.given.get(existing) ?? {}, options);
        if (differs.length === 0) return existing;
        throw new DuplicateTaskError(name, `again with other options: ${differs.join('; ')}`, 'Register it once, with all its options, before its first add (an add of an unregistered function registers it without options).');
      }
      const where = [existing.origin, options.origin].filter(Boolean).join(' and ');
      throw new DuplicateTaskError(name, where);
    }
    const definition: TaskDefinition = {
      name,
      fn,
      origin: options.origin,
      describe: options.describe,
      parameters: options.parameters ?? parameterNames(fn),
      retry: options.retry && checkRetry(name, options.retry),
      timeout: options.timeout === undefined ? undefined : checkTimeout(name, options.timeout),
      concurrency: options.concurrency === undefined ? undefined : checkConcurrency(name, options.concurrency as number | ConcurrencyOptions<never[]>),
      perpetual: options.perpetual === undefined ? undefined : checkPerpetual(name, options.perpetual),
      invoke: options.invoke ?? ((args) => (fn as (...a: unknown[]) => unknown)(...args)),
    };
    this.byName.set(name, definition);
    this.byFn.set(fn, definition);
    this.given.set(definition, options);
    return definition;
  }

  /** The definition for a name or function; functions not yet known are registered. */
  resolve(task: TaskFunction | string): TaskDefinition {
    if (typeof task !== 'string') return this.byFn.get(task) ?? this.register(task);
    const found = this.byName.get(task);
    if (!found) throw new UnknownTaskError(task, this.names());
    return found;
  }

  /** The definition registered for `fn`, without registering it. */
  find(fn: TaskFunction): TaskDefinition | undefined {
    return this.byFn.get(fn);
  }

  get(name: string): TaskDefinition | undefined {
    return this.byName.get(name);
  }
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/** What differs between two registrations' behaviour options, each as `option: before → now`. */
function differences(before: RegisterOptions, now: RegisterOptions): string[] {
  const shown = (value: unknown): string =>
    value === undefined ? 'none' : JSON.stringify(value, (_, v: unknown) => (typeof v === 'function' ? `${v.name || 'a'} function` : v));
  const concurrency = (c: RegisterOptions['concurrency']): unknown => (typeof c === 'number' ? { limit: c } : c);
  const out: string[] = [];
  for (const [option, a, b] of [
    ['retry', before.retry, now.retry],
    ['timeout', before.timeout, now.timeout],
    ['concurrency', concurrency(before.concurrency), concurrency(now.concurrency)],
    ['perpetual', before.perpetual, now.perpetual],
  ] as const) {
    const same = shown(a) === shown(b) && (option !== 'concurrency' || (a as { key?: unknown } | undefined)?.key === (b as { key?: unknown } | undefined)?.key);
    if (!same) out.push(`${option}: ${shown(a)} → ${shown(b)}`);
  }
  return out;
}
