/** How long `getResult()` may wait, as callers say it and as it is checked. */
import { InvalidOptionsError } from '../errors/docket.errors';

/**
 * How long `getResult()` may wait: a relative `timeout` in ms, or an absolute `deadline`
 * (never both).
 *
 * @example
 * await execution.getResult({ timeout: 30_000 });
 * await execution.getResult({ deadline: new Date(Date.now() + 5 * 60_000) });
 */
export interface ResultOptions {
  timeout?: number;
  deadline?: Date;
}

/** @internal The wait in ms (negative once a deadline has passed), undefined for no bound; throws InvalidOptionsError for bad options. */
export function resolveWait(options: ResultOptions): number | undefined {
  const { timeout, deadline } = options;
  if (timeout !== undefined && deadline !== undefined) {
    throw new InvalidOptionsError(
      'getResult() takes either { timeout } (ms) or { deadline } (a Date), not both.',
    );
  }
  if (timeout !== undefined) {
    if (!Number.isFinite(timeout) || timeout < 0) {
      throw new InvalidOptionsError(`getResult() timeout must be a number of ms ≥ 0, got ${timeout}`);
    }
    return timeout;
  }
  if (deadline !== undefined) {
    if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime())) {
      throw new InvalidOptionsError('getResult() deadline must be a valid Date.');
    }
    return deadline.getTime() - Date.now();
  }
  return undefined;
}
