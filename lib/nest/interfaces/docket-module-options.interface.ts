import type { ConnectionOptions } from 'node:tls';
import type { Codec } from '../../core/codec/codec';
import type { ErrorClass } from '../../core/codec/error-codec';

/**
 * How the worker of a {@link DocketModuleOptions | docket module} runs.
 *
 * @example
 * DocketModule.forRoot({ name: 'emails', worker: { concurrency: 20, drainTimeout: 10_000 } });
 */
export interface DocketWorkerOptions {
  /** How many tasks run at once. @default 10 */
  readonly concurrency?: number;
  /**
   * How long (ms) a message may sit unacknowledged, its lease not renewed, before another worker
   * takes it over because its own worker is presumed dead.
   * @default 300000 (5 minutes)
   */
  readonly redeliveryTimeout?: number;
  /** How often (ms) scheduled work that has come due is moved to the stream. @default 250 */
  readonly schedulingResolution?: number;
  /**
   * How long (ms) `app.close()` waits for running tasks before it leaves them to redelivery.
   * @default 30000
   */
  readonly drainTimeout?: number;
  /**
   * The task (by name) that runs the runs of tasks this worker does not have. Without it they are
   * put back for a worker that has the task (see `unknownTaskTimeout`).
   */
  readonly fallback?: string;
  /**
   * How long (ms) runs of a task that no live worker of the docket has are put back before they
   * end FAILED with UnknownTaskError. @default 300000 (5 minutes)
   */
  readonly unknownTaskTimeout?: number;
}

/**
 * The options of `DocketModule.forRoot()` and of what a `forRootAsync()` factory returns.
 * Defaults are filled in by one function, in `docket-module-options.resolver.ts`.
 *
 * @example
 * DocketModule.forRoot({
 *   name: 'orders',
 *   url: 'redis://127.0.0.1:6379/0',
 *   executionTtl: 60 * 60_000,
 *   worker: { concurrency: 4 },
 *   errors: [PaymentDeclinedError],
 * });
 */
export interface DocketModuleOptions {
  /**
   * The docket's name: every Redis key of the docket starts with it, and `@InjectDocket(name)`
   * finds it. In `forRootAsync`, the `name` next to `useFactory` names the injection token (it is
   * needed before the factory runs); a `name` the factory returns renames the docket in Redis.
   * @default 'docket'
   */
  readonly name?: string;
  /**
   * Where Redis is: `redis://[user:pass@]host:port/db`, `rediss://…` (TLS), `unix:///path?db=0`,
   * `redis+cluster://host:port,host:port`, or `redis+sentinel://host:port,host:port/<master name>/db`.
   * @default 'redis://127.0.0.1:6379/0'
   */
  readonly url?: string;
  /**
   * TLS settings for a `rediss://` URL, on top of what the URL says: a private CA (`ca`), a
   * client certificate for mutual TLS (`cert`, `key`) … (Node's `tls.connect` options).
   * @example { ca: readFileSync('/etc/redis/ca.crt') }
   */
  readonly tls?: ConnectionOptions;
  /**
   * How long (ms) a finished execution's record and result are kept; 0 keeps nothing
   * (fire and forget).
   * @default 900000 (15 minutes)
   */
  readonly executionTtl?: number;
  /**
   * The worker this process runs, or `false` for a process that only adds and watches tasks
   * (an HTTP API in front of separate worker processes).
   * @default {} (a worker with the defaults of {@link DocketWorkerOptions})
   */
  readonly worker?: false | DocketWorkerOptions;
  /**
   * Error classes that `getResult()` rethrows as themselves, found by constructor name. Built-in
   * errors and Nest's HttpExceptions are always known.
   * @default []
   */
  readonly errors?: readonly ErrorClass[];
  /** How arguments and results are encoded. @default new JsonCodec() */
  readonly codec?: Codec;
  /** Prefix keys with a `{name}` hash tag so that Redis Cluster keeps a docket on one slot. @default false */
  readonly hashTag?: boolean;
  /**
   * How the docket's log lines are written: `'nest'` through the app's logger (Nest's `Logger`,
   * whatever the app set with `app.useLogger`), or `'json'` as one JSON object per line on stdout
   * (Nest's ConsoleLogger in JSON mode, with the docket as `context`), for log collectors.
   * @default 'nest'
   */
  readonly logFormat?: 'nest' | 'json';
}

/**
 * A class that `forRootAsync({ useClass })` or `forRootAsync({ useExisting })` asks for the options.
 *
 * @example
 * @Injectable()
 * class DocketConfig implements DocketOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createDocketOptions(): DocketModuleOptions {
 *     return { url: this.config.get('REDIS_URL') };
 *   }
 * }
 */
export interface DocketOptionsFactory {
  createDocketOptions(): DocketModuleOptions | Promise<DocketModuleOptions>;
}
