/**
 * An agenda: calls collected first, then added in one batch with their due times spread evenly
 * over a window, so that a thousand reports asked for at midnight do not all start at midnight.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import type { Execution } from '../execution/execution';
import type { TaskFunction } from '../tasks/task-registry';
import type { Docket } from './docket';
import type { TaskArgs, TaskCall } from './task-call';

/**
 * How {@link Agenda.scatter} spreads the calls.
 *
 * @example
 * await agenda.scatter({ over: 3_600_000, start: new Date('2030-01-01T00:00:00Z'), jitter: 30_000 });
 */
export interface ScatterOptions {
  /** The window (ms): the n calls are due at `start`, `start + over/n`, … , `start + over·(n−1)/n`. */
  over: number;
  /** When the window opens. @default now (the docket's clock) */
  start?: Date;
  /** A random extra delay of up to this many ms on each call, so that neighbours do not line up. @default 0 */
  jitter?: number;
}

/**
 * Calls collected to be added together, spread over a window. Made by `docket.agenda()`. Give
 * the calls keys to make a scatter idempotent: one run again finds them already scheduled.
 *
 * @example
 * const agenda = docket.agenda();
 * for (const user of users) agenda.add(sendDigest, { key: `digest:${user.id}:${today}` })(user.id);
 * await agenda.scatter({ over: 60 * 60_000 }); // within the next hour, evenly
 */
export class Agenda {
  private readonly calls: ((when: Date) => TaskCall)[] = [];

  /** @internal Made by `docket.agenda()`. */
  constructor(private readonly docket: Docket) {}

  /** How many calls it holds. */
  get size(): number {
    return this.calls.length;
  }

  /** Collects a call of `task` (under `key`, if given); nothing is sent until {@link Agenda.scatter}. */
  add<F extends TaskFunction>(task: F, options?: { key?: string }): (...args: TaskArgs<F>) => this;
  add(task: string, options?: { key?: string }): (...args: unknown[]) => this;
  add<F extends TaskFunction>(task: F | string, options: { key?: string } = {}): (...args: TaskArgs<F>) => this {
    return (...args) => {
      this.calls.push((when) => this.docket.call(task as string, { key: options.key, when })(...(args as unknown[])));
      return this;
    };
  }

  /** Adds every call, due times spread evenly over `over` ms from `start`; resolves with their executions, in order. */
  async scatter(options: ScatterOptions): Promise<Execution[]> {
    const { over, start, jitter = 0 } = options;
    if (!Number.isFinite(over) || over <= 0) throw new InvalidOptionsError(`scatter(): over must be a number of ms > 0, got ${String(over)}`);
    if (!Number.isFinite(jitter) || jitter < 0) throw new InvalidOptionsError(`scatter(): jitter must be a number of ms ≥ 0, got ${String(jitter)}`);
    if (start !== undefined && (!(start instanceof Date) || Number.isNaN(start.getTime()))) throw new InvalidOptionsError('scatter(): start must be a valid Date');
    const from = start?.getTime() ?? this.docket.backend.now();
    const n = this.calls.length;
    const prepared = this.calls.map((make, i) => make(new Date(Math.round(from + (over * i) / n + Math.random() * jitter))));
    return this.docket.addMany(prepared);
  }
}
