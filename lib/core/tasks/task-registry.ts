import { DuplicateTaskError, InvalidOptionsError, UnknownTaskError } from '../errors/docket.errors';
import type { TaskContext } from '../worker/task-context';
import { parameterNames, type ParameterName } from './parameter-names';
import { checkRateLimit, type AdmissionOptions, type AdmissionRule, type RateLimitOptions, type RateLimitRule } from './admission';
import type { CronOptions } from './cron';
import type { PerpetualOptions, Recurrence } from './perpetual';
import { checkConcurrency, checkRetry, checkTimeout, DEFAULT_MAX_RETRY_DELAY_MS, admissionOf, differences, recurrenceOf, type ConcurrencyLimit, type ConcurrencyOptions, type RetryOptions } from './task-option-checks';

export type { ConcurrencyLimit, ConcurrencyOptions, RetryOptions };

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
  /** How a perpetual or cron task repeats. */
  readonly recurrence?: Recurrence;
  /** One run after calls stop for a window, with the last call's arguments. */
  readonly debounce?: AdmissionRule;
  /** The first call of a window runs; the others within it are dropped. */
  readonly cooldown?: AdmissionRule;
  /** At most `limit` runs start in any `per` ms. */
  readonly rateLimit?: RateLimitRule;
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
  /** Run on the ticks of a cron pattern, seeded by workers (see {@link CronOptions}). */
  cron?: CronOptions;
  /** One run once calls stop for `window` ms, with the last call's arguments (per task, or per value of `key`). */
  debounce?: AdmissionOptions<Parameters<F>>;
  /** The first call runs; calls within `window` ms after it are dropped (per task, or per value of `key`). */
  cooldown?: AdmissionOptions<Parameters<F>>;
  /** At most `limit` runs start in any `per` ms, across the fleet (see {@link RateLimitOptions}). */
  rateLimit?: RateLimitOptions<Parameters<F>>;
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
      recurrence: recurrenceOf(name, options),
      ...admissionOf(name, options),
      rateLimit: options.rateLimit === undefined ? undefined : checkRateLimit(name, options.rateLimit as RateLimitOptions<never[]>),
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
