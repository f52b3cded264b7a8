/**
 * Every sentence the Nest integration writes, made by functions so that each names the task,
 * class, method or docket it is about.
 */

/** A `@Task()` on a request-scoped or transient provider cannot be called from a worker. */
export const SCOPED_TASK_SKIPPED = (origin: string, docket: string): string =>
  `@Task() ${origin} is on a request-scoped or transient provider, so docket "${docket}" skips it: ` +
  `a worker has no request to build that provider for. Move the task to a singleton provider.`;

/** A `@Task({ docket })` names a docket that no DocketModule registered. */
export const UNKNOWN_TASK_DOCKET = (origin: string, docket: string, known: readonly string[]): string =>
  `@Task() ${origin} belongs to docket "${docket}", but the app registers ` +
  `${known.length ? known.map((n) => `"${n}"`).join(', ') : 'no docket'}. ` +
  `Import DocketModule.forRoot({ name: '${docket}' }) or fix the name.`;

/** `add(fn)` / `replace(fn)` was given a function that is no task of the docket. */
export const TASK_NOT_REGISTERED = (fnName: string, docket: string, known: readonly string[]): string =>
  `${fnName || 'An anonymous function'} is not a task of docket "${docket}" ` +
  `(its tasks: ${known.length ? known.join(', ') : 'none'}). ` +
  `Mark the method with @Task() on a singleton provider, or register it with docket.register(fn).`;

/** The worker of a docket stopped with an error instead of by request. */
export const WORKER_FAILED = (docket: string, error: unknown): string =>
  `The worker of docket "${docket}" failed: ${error instanceof Error ? error.message : String(error)}`;

/** A parameter decorator was put on a constructor parameter. */
export const PARAM_DECORATOR_MISPLACED = (decorator: string, className: string): string =>
  `@${decorator}() is on a constructor parameter of ${className}; it belongs on a parameter of a @Task() method.`;
