/**
 * Timers for any wait a caller may ask for: Node's setTimeout fires at once past 2^31 − 1 ms
 * (about 24.8 days), so longer waits are chained in steps it can take.
 */
import { Observable } from 'rxjs';

/** The longest delay setTimeout takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * True when setTimeout waits `ms` as asked: a number from 0 to {@link MAX_TIMER_MS}.
 *
 * @example
 * if (!fitsTimer(options.drainTimeout)) throw new InvalidOptionsError('…');
 */
export function fitsTimer(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIMER_MS;
}

/**
 * Calls `fire` after `ms` (any length), unless the returned function cancels it first.
 *
 * @example
 * const cancel = setLongTimeout(() => console.log('a month later'), 30 * 24 * 3_600_000);
 */
export function setLongTimeout(fire: () => void, ms: number): () => void {
  const at = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = Math.max(0, at - Date.now());
    timer = setTimeout(left > MAX_TIMER_MS ? arm : fire, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Emits once, after `ms` (any length), then completes.
 *
 * @example
 * source$.pipe(takeUntil(after(45 * 24 * 3_600_000)));
 */
export function after(ms: number): Observable<void> {
  return new Observable<void>((subscriber) =>
    setLongTimeout(() => {
      subscriber.next();
      subscriber.complete();
    }, ms),
  );
}
