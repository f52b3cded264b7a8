import type { DocketOptions } from '../core/producer/docket.options';
import type { WorkerOptions } from '../core/worker/worker.options';
import { DEFAULT_DOCKET_NAME } from './docket.constants';
import { nestHttpExceptions } from './http-exceptions.util';
import type { DocketModuleOptions } from './interfaces/docket-module-options.interface';
import type { WorkerOverrides } from './worker-overrides';

/**
 * A docket module's options, ready for the core: what to build and whether to run a worker.
 *
 * @example
 * const docket = new Docket({ ...resolved.docket, logger });
 * if (resolved.worker) new Worker(docket, resolved.worker);
 */
export interface ResolvedDocketModuleOptions {
  /** The name the module was registered under, which names its injection token. */
  readonly alias: string;
  /** The core docket's options (the core fills in its own defaults: url, executionTtl, codec). */
  readonly docket: Omit<DocketOptions, 'logger'> & { readonly name: string };
  /** The worker to run, or false (the core fills in its own defaults: concurrency …). */
  readonly worker: false | Omit<WorkerOptions, 'logger'>;
  /** How log lines are written (see {@link DocketModuleOptions.logFormat}). */
  readonly logFormat: 'nest' | 'json';
}

/**
 * Fills in the defaults of {@link DocketModuleOptions}: the one place they are merged. The
 * docket is named by the options, else by the module's registration name; Nest's
 * HttpExceptions are always known to the error codec; a worker runs unless `worker: false`; and
 * overrides from `docket worker` win over the app's own worker options, turning the worker on.
 *
 * @example
 * resolveDocketModuleOptions({ url, worker: false }, 'emails', { concurrency: 4 });
 * // { alias: 'emails', docket: { name: 'emails', url, errors: [HttpException, …] }, worker: { concurrency: 4 } }
 */
export function resolveDocketModuleOptions(
  options: DocketModuleOptions,
  alias: string | undefined,
  overrides: WorkerOverrides | undefined,
): ResolvedDocketModuleOptions {
  const moduleName = alias ?? DEFAULT_DOCKET_NAME;
  const own = options.worker === undefined ? {} : options.worker;
  const worker = overrides ? { ...(own || {}), ...definedOnly(overrides) } : own;
  return {
    alias: moduleName,
    docket: {
      name: options.name ?? moduleName,
      url: options.url,
      tls: options.tls,
      executionTtl: options.executionTtl,
      codec: options.codec,
      hashTag: options.hashTag,
      errors: [...nestHttpExceptions(), ...(options.errors ?? [])],
    },
    worker,
    logFormat: options.logFormat ?? 'nest',
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
