/**
 * How times and spans are written in the CLI's output. Local time, because a person reads it
 * next to their own clock; pure functions of their inputs, so views render the same in tests.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A local date and time, `YYYY-MM-DD HH:MM:SS`.
 *
 * @example
 * formatDateTime(new Date(2025, 0, 15, 10, 30, 5)); // '2025-01-15 10:30:05'
 */
export function formatDateTime(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/**
 * Milliseconds as a clock, `m:ss` below an hour and `h:mm:ss` above (negative → `0:00`).
 *
 * @example
 * formatClock(65_000); // '1:05'
 * formatClock(3_725_000); // '1:02:05'
 */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = pad(total % 60);
  return hours > 0 ? `${hours}:${pad(minutes)}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * A short span for "how long ago": `850ms`, `12.3s`, then a clock.
 *
 * @example
 * formatAge(1_234); // '1.2s'
 */
export function formatAge(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1_000) return `${value}ms`;
  if (value < 60_000) return `${(value / 1_000).toFixed(1)}s`;
  return formatClock(value);
}

/** Beyond this, a future time is shown as a date rather than a countdown. */
const COUNTDOWN_LIMIT_MS = 30 * 60_000;

/**
 * A time relative to `now`: `in 4:59`, `3.2s ago`, or `at 2025-01-15 11:30:00` when more than
 * 30 minutes ahead.
 *
 * @example
 * formatRelative(new Date(now.getTime() + 90_000), now); // 'in 1:30'
 */
export function formatRelative(date: Date, now: Date): string {
  const delta = date.getTime() - now.getTime();
  if (delta > COUNTDOWN_LIMIT_MS) return `at ${formatDateTime(date)}`;
  if (delta > 0) return `in ${formatClock(delta + 999)}`;
  return `${formatAge(-delta)} ago`;
}
