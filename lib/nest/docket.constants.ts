/**
 * Metadata keys and module-local injection tokens of the Nest integration. Private: the public
 * way to reach a docket is {@link DocketService} or `@InjectDocket(name)`.
 */

/** Written by `@Task()` on the method. */
export const TASK_METADATA = 'docket:task';

/** Written by the injected-parameter decorators (`@Progress()` …) on the method. */
export const TASK_PARAMS_METADATA = 'docket:task-params';

/** Written by `@Logged()` on the method. */
export const LOGGED_METADATA = 'docket:logged';

/** The name a docket has when none is given (the core's default name too). */
export const DEFAULT_DOCKET_NAME = 'docket';

/** The name the module was registered under (`forRoot({ name })`), known before any factory runs. */
export const DOCKET_ALIAS = Symbol('DOCKET_ALIAS');

/** The module's options with every default filled in. */
export const DOCKET_RESOLVED_OPTIONS = Symbol('DOCKET_RESOLVED_OPTIONS');

/** The core {@link Docket} of one module instance. */
export const DOCKET_CLIENT = Symbol('DOCKET_CLIENT');

/** The options as given to forRoot or made by a forRootAsync factory (the builder's token). */
export const DOCKET_MODULE_OPTIONS = Symbol('DOCKET_MODULE_OPTIONS');
