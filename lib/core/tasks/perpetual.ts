/**
 * Perpetual tasks: after each run, whatever its outcome, the next run of the same key is
 * scheduled by the same script that records the outcome (see the complete script), so the chain
 * cannot break between the two. `automatic` ones are also seeded by every worker, at its start and
 * every minute, under the task's name as key, so a chain broken by a deploy, a strike or a lost
 * worker heals by itself.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import { fitsTimer } from '../util/long-timer';

/** The shortest `every` a perpetual task may have (ms). */
export const MIN_PERPETUAL_EVERY_MS = 10;

/**
 * How a task repeats (the `perpetual` option of `register` and `@Task`).
 *
 * @example
 * docket.register(refreshFeed, { perpetual: { every: 60_000, automatic: true } });
 */
export interface PerpetualOptions {
  /** The time from one run's due time to the next's (ms, at least {@link MIN_PERPETUAL_EVERY_MS}). */
  every: number;
  /**
   * Keep one run alive with no caller: workers schedule it under the task's name when none is
   * scheduled, queued or running (at their start, then every minute). The task must take no
   * arguments. @default false
   */
  automatic?: boolean;
}

/**
 * @internal How a recurring task (perpetual or cron) repeats: when its next run is due after one
 * that was due at `when` ended at `now`, and when an automatic one is first seeded.
 */
export interface Recurrence {
  /** `every` of a perpetual task; undefined for cron. */
  readonly every?: number;
  /** Seeded by workers under the task's name. */
  readonly automatic: boolean;
  /** The next run's due time after a run due at `when` that ended at `now` (never before `now`). */
  next(when: number, now: number): number;
  /** The due time of a seeded run. */
  first(now: number): number;
  /** For messages: `every 60000 ms`, `cron "0 9 * * 1-5" (Europe/Paris)`. */
  readonly text: string;
}

/** @internal Checks a task's `perpetual` option, naming the task and the option when it is wrong. */
export function checkPerpetual(task: string, perpetual: PerpetualOptions): Recurrence {
  const { every, automatic = false } = perpetual;
  if (typeof every !== 'number' || !(every >= MIN_PERPETUAL_EVERY_MS) || !fitsTimer(every)) {
    throw new InvalidOptionsError(`Task "${task}": perpetual.every must be a number of ms from ${MIN_PERPETUAL_EVERY_MS} to 2147483647, got ${String(every)}`);
  }
  if (typeof automatic !== 'boolean') throw new InvalidOptionsError(`Task "${task}": perpetual.automatic must be true or false, got ${String(automatic)}`);
  // A run late by many periods (every worker was down) is followed by one run now, not one per missed period.
  return Object.freeze({ every, automatic, next: (when: number, now: number) => Math.max(now, when + every), first: (now: number) => now, text: `every ${every} ms` });
}

/**
 * What a run of a perpetual task may decide about the next one, from inside the run
 * (`currentTask().perpetual`, or `@Perpetual()` in Nest).
 *
 * @example
 * const { perpetual } = currentTask();
 * if (feed.isEmpty) perpetual?.after(10 * 60_000); // back off for ten minutes
 * if (feed.isGone) perpetual?.cancel();            // end the chain
 */
export interface PerpetualControl {
  /** The task's `every` (ms); undefined for a cron task. */
  readonly every?: number;
  /** No next run: the chain ends with this one (an automatic task is seeded again within a minute). */
  cancel(): void;
  /** The next run `ms` after this one ends, instead of `every` after this one's due time. */
  after(ms: number): void;
  /** The next run at `when`. */
  at(when: Date): void;
}

/** @internal A run's {@link PerpetualControl}, read when its outcome is written. */
export class PerpetualChoice implements PerpetualControl {
  private choice: { kind: 'default' } | { kind: 'cancel' } | { kind: 'after'; ms: number } | { kind: 'at'; at: number } = { kind: 'default' };

  constructor(private readonly recurrence: Recurrence) {}

  get every(): number | undefined {
    return this.recurrence.every;
  }

  cancel(): void {
    this.choice = { kind: 'cancel' };
  }

  after(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptionsError(`perpetual.after() takes a number of ms ≥ 0, got ${ms}`);
    this.choice = { kind: 'after', ms };
  }

  at(when: Date): void {
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) throw new InvalidOptionsError('perpetual.at() takes a valid Date');
    this.choice = { kind: 'at', at: when.getTime() };
  }

  /** When the next run is due, or undefined for none: as chosen, else as the task recurs. */
  next(when: number, now: number): number | undefined {
    switch (this.choice.kind) {
      case 'cancel':
        return undefined;
      case 'after':
        return now + this.choice.ms;
      case 'at':
        return this.choice.at;
      default:
        return this.recurrence.next(when, now);
    }
  }
}
