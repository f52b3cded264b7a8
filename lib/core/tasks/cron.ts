/**
 * Cron tasks: a perpetual task whose runs fall on the ticks of a cron pattern (croner: 5 or 6
 * fields, seconds first when 6, `@daily` and the like, an IANA time zone). The next tick is taken
 * after the due time of the run that ended, or after now when that is later, so a slow run does
 * not drift off the pattern and a fleet back from an outage runs a missed tick once, not once per
 * missed tick. Automatic by default: workers seed it under its name at the next tick.
 */
import { Cron } from 'croner';
import { InvalidOptionsError } from '../errors/docket.errors';
import type { Recurrence } from './perpetual';

/**
 * When a cron task runs (the `cron` option of `register` and `@Task`): a pattern, or a pattern
 * with its time zone (default UTC).
 *
 * @example
 * docket.register(sendDigest, { cron: { pattern: '0 9 * * 1-5', timezone: 'Europe/Paris' } });
 * docket.register(sweepTemp, { cron: '*\/30 * * * * *' }); // every 30 s (a seconds field first)
 */
export type CronOptions = string | { pattern: string; timezone?: string; automatic?: boolean };

/** @internal Checks a task's `cron` option with croner, naming the task and what is wrong. */
export function checkCron(task: string, cron: CronOptions): Recurrence {
  const { pattern, timezone = 'UTC', automatic = true } = typeof cron === 'string' ? { pattern: cron } : cron;
  if (typeof pattern !== 'string' || pattern.trim() === '') throw new InvalidOptionsError(`Task "${task}": cron needs a pattern such as '0 9 * * 1-5', got ${JSON.stringify(pattern)}`);
  if (typeof automatic !== 'boolean') throw new InvalidOptionsError(`Task "${task}": cron.automatic must be true or false, got ${String(automatic)}`);
  let schedule: Cron;
  try {
    schedule = new Cron(pattern, { timezone, paused: true });
    // An unknown time zone is found only when a time is computed; a pattern may have no tick left.
    if (!schedule.nextRun(new Date())) throw new Error('it has no tick from now on');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidOptionsError(`Task "${task}": cron ${JSON.stringify(pattern)} in time zone ${JSON.stringify(timezone)} cannot be used: ${why}`);
  }
  const after = (ms: number): number => {
    const next = schedule.nextRun(new Date(ms));
    if (!next) throw new InvalidOptionsError(`Task "${task}": cron ${JSON.stringify(pattern)} has no tick after ${new Date(ms).toISOString()}`);
    return next.getTime();
  };
  return Object.freeze({ automatic, next: (when: number, now: number) => after(Math.max(when, now)), first: after, text: `cron ${JSON.stringify(pattern)} (${timezone})` });
}
