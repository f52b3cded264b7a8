/**
 * Where the core writes its log lines. Nest's `LoggerService` fits this shape, so the Nest layer
 * passes its own; without one the core writes to the console.
 *
 * @example
 * const docket = new Docket({ name: 'emails', logger: new Logger('Docket') });
 */
export interface DocketLogger {
  log(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
  debug?(message: string, ...rest: unknown[]): void;
}

/** The logger used when none is given: console lines tagged with `[docket]`. */
export const consoleLogger: DocketLogger = {
  log: (message, ...rest) => console.log(`[docket] ${message}`, ...rest),
  warn: (message, ...rest) => console.warn(`[docket] ${message}`, ...rest),
  error: (message, ...rest) => console.error(`[docket] ${message}`, ...rest),
};
