/**
 * Test helpers for a docket on `memory://`: run what is due, move the clock instead of waiting,
 * and assert on what is scheduled, with messages that list it.
 */
import { DocketError, InvalidOptionsError } from '../errors/docket.errors';
import { ExecutionState } from '../execution/execution-state.enum';
import type { Docket } from '../producer/docket';
import type { TaskFunction } from '../tasks/task-registry';
import { Worker } from '../worker/worker';

/**
 * An expectation of {@link DocketTester} did not hold; the message lists what is scheduled.
 *
 * @example
 * await expect(tester.expectScheduled('sendEmail')).rejects.toThrow(DocketAssertionError);
 */
export class DocketAssertionError extends DocketError {
  override name = 'DocketAssertionError';
}

/**
 * Work waiting in a docket: queued (due now) or scheduled (due later, or waiting for a place).
 *
 * @example
 * const [first] = await tester.pending(); // { task: 'sendEmail', args: ['ada'], when: …, state: 'scheduled', key: … }
 */
export interface PendingTask {
  /** The docket it waits in. */
  readonly docket: string;
  readonly key: string;
  readonly task: string;
  readonly args: unknown[];
  readonly when: Date;
  readonly state: ExecutionState;
}

let testers = 0;

/**
 * Drives a docket in a test: {@link DocketTester.runUntilFinished} runs what is due (also what
 * tasks add, and retries due at once) with a real worker, then stops; work due later stays until
 * {@link DocketTester.advanceBy} moves the docket's clock past it. Made by
 * {@link createDocketTester}, or injected by `DocketTestingModule` in Nest.
 *
 * @example
 * const docket = new Docket({ url: 'memory://' });
 * docket.register(sendEmail, { retry: { attempts: 3, delay: 60_000 } });
 * const tester = createDocketTester(docket);
 * await docket.add(sendEmail)('ada@example.com');
 * await tester.runUntilFinished();         // the first attempt fails…
 * await tester.expectScheduled(sendEmail);  // …and its retry waits a minute
 * await tester.advanceBy(60_000);
 * await tester.runUntilFinished();
 * await tester.expectNoTasks();
 */
export class DocketTester {
  private readonly id = ++testers;
  private readonly dockets: () => readonly Docket[];

  /**
   * @param dockets the docket to drive, or several on one memory space (one clock), or a
   *   function that lists them when asked (as `DocketTestingModule` does)
   */
  constructor(dockets: Docket | readonly Docket[] | (() => readonly Docket[])) {
    this.dockets = typeof dockets === 'function' ? dockets : Array.isArray(dockets) ? () => dockets : () => [dockets as Docket];
  }

  /** The dockets' clock: the wall clock, plus every {@link DocketTester.advanceBy}. */
  now(): Date {
    return new Date(this.first().backend.now());
  }

  /**
   * Runs every task that is due, with a worker of its own per docket, until nothing is due,
   * queued or running in any of them; work the tasks add runs too when it is due. Work due
   * later is left scheduled.
   */
  async runUntilFinished(): Promise<void> {
    for (let round = 0; ; round++) {
      for (const docket of this.dockets()) await new Worker(docket, { name: `docket-tester-${this.id}` }).runUntilIdle();
      // A task of one docket may have added work to another that already ran: go round again.
      const depths = await Promise.all(this.dockets().map((d) => d.depths()));
      if (depths.every((d) => d.queued === 0 && d.running === 0)) return;
      if (round > 1_000) throw new DocketAssertionError('runUntilFinished() went round 1,000 times and work is still due: a task that adds itself at once never finishes.');
    }
  }

  /**
   * As {@link DocketTester.runUntilFinished}, but each task (by name) or execution (by key) in
   * `limits` starts at most that many runs; its further runs stay where they are, queued or
   * scheduled, for the next run. For work that never runs out: a task that adds itself again.
   *
   * @example
   * await tester.runAtMost({ refreshFeed: 3 });  // three refreshes, then stop
   * await tester.expectScheduled('refreshFeed'); // the fourth waits
   */
  async runAtMost(limits: Readonly<Record<string, number>>): Promise<void> {
    for (const [name, n] of Object.entries(limits)) {
      if (!Number.isInteger(n) || n < 0) throw new InvalidOptionsError(`runAtMost() takes a whole number ≥ 0 of runs per task or key, not ${n} for "${name}".`);
    }
    const lifts = this.dockets().map((docket) => {
      if (!docket.backend.limitRuns) throw new InvalidOptionsError(`runAtMost() needs a memory:// docket; "${docket.name}" is on ${docket.url}.`);
      return docket.backend.limitRuns(limits);
    });
    try {
      await this.runUntilFinished();
    } finally {
      for (const lift of lifts) lift();
    }
  }

  /** Moves the clock `ms` ahead: what comes due by then runs at the next {@link DocketTester.runUntilFinished}. */
  async advanceBy(ms: number): Promise<void> {
    const docket = this.first();
    const advance = docket.backend.advanceClock;
    if (!advance) throw new InvalidOptionsError(`The clock of docket "${docket.name}" is the wall clock of ${docket.url}; only a memory:// docket has a clock a test can move.`);
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptionsError(`advanceBy() takes a number of ms ≥ 0, not ${ms}.`);
    advance.call(docket.backend, ms);
    return Promise.resolve();
  }

  /** Moves the clock to `date` (never back). */
  async advanceTo(date: Date): Promise<void> {
    const ms = date.getTime() - this.first().backend.now();
    if (!(ms >= 0)) throw new InvalidOptionsError(`advanceTo(${date.toISOString()}) is before the docket's clock (${this.now().toISOString()}); a clock only moves ahead.`);
    return this.advanceBy(ms);
  }

  /** What is queued or scheduled, due first. */
  async pending(): Promise<PendingTask[]> {
    const all = await Promise.all(this.dockets().map((docket) => pendingOf(docket)));
    return all.flat().sort((a, b) => a.when.getTime() - b.when.getTime());
  }

  /** Passes when a call of `task` (with exactly `args`, if given) is queued or scheduled. */
  async expectScheduled(task: TaskFunction | string, args?: readonly unknown[]): Promise<void> {
    const pending = await this.pending();
    if (!pending.some((p) => this.matches(p, task, args))) throw new DocketAssertionError(`Expected ${this.describe(task, args)} to be scheduled, ${list(pending)}`);
  }

  /** Passes when no call of `task` (with exactly `args`, if given) is queued or scheduled. */
  async expectNotScheduled(task: TaskFunction | string, args?: readonly unknown[]): Promise<void> {
    const pending = await this.pending();
    if (pending.some((p) => this.matches(p, task, args))) throw new DocketAssertionError(`Expected ${this.describe(task, args)} not to be scheduled, ${list(pending)}`);
  }

  /** Passes when exactly `count` executions are queued or scheduled. */
  async expectTaskCount(count: number): Promise<void> {
    const pending = await this.pending();
    if (pending.length !== count) throw new DocketAssertionError(`Expected ${count} task(s) to be scheduled, ${list(pending)}`);
  }

  /** Passes when nothing is queued or scheduled. */
  expectNoTasks(): Promise<void> {
    return this.expectTaskCount(0);
  }

  private nameOf(task: TaskFunction | string): string {
    if (typeof task === 'string') return task;
    for (const docket of this.dockets()) {
      const found = docket.tasks.find(task);
      if (found) return found.name;
    }
    return task.name;
  }

  private first(): Docket {
    const [docket] = this.dockets();
    if (!docket) throw new InvalidOptionsError('This DocketTester has no docket to drive: give it one, or import DocketModule beside DocketTestingModule.');
    return docket;
  }

  private matches(p: PendingTask, task: TaskFunction | string, args: readonly unknown[] | undefined): boolean {
    return p.task === this.nameOf(task) && (args === undefined || JSON.stringify(p.args) === JSON.stringify(args));
  }

  private describe(task: TaskFunction | string, args: readonly unknown[] | undefined): string {
    return `${this.nameOf(task)}(${args === undefined ? '…' : args.map((a) => JSON.stringify(a)).join(', ')})`;
  }
}

async function pendingOf(docket: Docket): Promise<PendingTask[]> {
  const { queued, scheduled } = await docket.snapshot();
  const found = await Promise.all([...queued, ...scheduled].map((s) => docket.getExecution(s.key)));
  return found.flatMap((e) => (e ? [{ docket: docket.name, key: e.key, task: e.taskName, args: e.args, when: e.when, state: e.state }] : []));
}

function list(pending: readonly PendingTask[]): string {
  if (pending.length === 0) return 'but nothing is.';
  const lines = pending.map((p) => `  ${p.task}(${p.args.map((a) => JSON.stringify(a)).join(', ')}) ${p.state === ExecutionState.QUEUED ? 'queued' : `due ${p.when.toISOString()}`} [${p.key}]`);
  return `but ${pending.length === 1 ? 'this is' : `these ${pending.length} are`}:\n${lines.join('\n')}`;
}

/**
 * A {@link DocketTester} for `docket`, without Nest.
 *
 * @example
 * const tester = createDocketTester(new Docket({ url: 'memory://' }));
 */
export function createDocketTester(docket: Docket): DocketTester {
  return new DocketTester(docket);
}
