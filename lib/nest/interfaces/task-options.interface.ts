import type { InjectionToken } from '@nestjs/common';
import type { AdmissionOptions, RateLimitOptions } from '../../core/tasks/admission';
import type { CronOptions } from '../../core/tasks/cron';
import type { PerpetualOptions } from '../../core/tasks/perpetual';
import type { ConcurrencyOptions, RetryOptions } from '../../core/tasks/task-registry';

/**
 * How a `@Task()` method is registered; all of it may come from configuration through
 * {@link TaskOptionsFactory}.
 *
 * @example
 * @Task({ name: 'orders.process', docket: 'orders', retry: { attempts: 3, delay: 1_000 }, timeout: 30_000 })
 * async processOrder(@Logged() orderId: number) { … }
 *
 * @Task({ concurrency: { limit: 1, key: (customerId: string) => customerId } })
 * async syncCustomer(@Logged() customerId: string) { … }
 */
export interface TaskOptions {
  /** The task's name on the wire; workers find the method by it. @default the method's name */
  readonly name?: string;
  /**
   * The docket the task belongs to, by the name its module was registered under.
   * @default every docket of the app
   */
  readonly docket?: string;
  /** Tries a run that throws again, up to `attempts` runs in all: see {@link RetryOptions}. */
  readonly retry?: RetryOptions;
  /**
   * How long one run may take, in ms. Past it, the run's AbortSignal (`@Cancellation()`) is
   * aborted and the run fails with TaskTimeoutError (or is tried again, with `retry`).
   */
  readonly timeout?: number;
  /**
   * How many runs may go at once across every worker of the docket, or with `key`, per value of
   * the key, which is given the arguments as the caller passed them (injected ones left out):
   * see {@link ConcurrencyOptions}.
   */
  readonly concurrency?: number | ConcurrencyOptions<never[]>;
  /** Runs again after each run, `every` ms after its due time; `automatic` keeps one alive with no caller: see {@link PerpetualOptions}. */
  readonly perpetual?: PerpetualOptions;
  /** Runs on the ticks of a cron pattern, seeded by the workers: see {@link CronOptions}. */
  readonly cron?: CronOptions;
  /** One run once calls stop for a window, with the last call's arguments: see {@link AdmissionOptions}. */
  readonly debounce?: AdmissionOptions<never[]>;
  /** The first call runs, the calls within a window after it are dropped: see {@link AdmissionOptions}. */
  readonly cooldown?: AdmissionOptions<never[]>;
  /** At most `limit` runs start in any `per` ms across the fleet: see {@link RateLimitOptions}. */
  readonly rateLimit?: RateLimitOptions<never[]>;
}

/**
 * Task options computed at startup from providers, when literals will not do.
 *
 * @example
 * @Task({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ name: config.get('REPORT_TASK_NAME') }),
 * })
 * async buildReport(@Logged() reportId: string) { … }
 */
export interface TaskOptionsFactory {
  /** Providers to resolve (from anywhere in the app) and pass to `useFactory`, in order. */
  readonly inject?: readonly InjectionToken[];
  /** Makes the options from the injected providers. */
  readonly useFactory: (...providers: never[]) => TaskOptions | Promise<TaskOptions>;
}

/** What `@Task()` stores: literal options or a factory of them. */
export type TaskMetadata = TaskOptions | TaskOptionsFactory;

/**
 * How `@Logged()` shows an argument in log lines.
 *
 * @example
 * async importRows(@Logged({ lengthOnly: true }) rows: Row[]) { … } // importRows(rows=[len 5000])
 */
export interface LoggedOptions {
  /**
   * Show only the size: `[len N]` for arrays and strings, `{len N}` for objects, Maps and Sets.
   * @default false
   */
  readonly lengthOnly?: boolean;
}
