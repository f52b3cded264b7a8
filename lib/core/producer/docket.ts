import { Observable } from 'rxjs';
import { InvalidOptionsError } from '../errors/docket.errors';
import { docketEvents } from '../execution/docket-events';
import { type ExecutionEvent } from '../execution/execution-event';
import { Execution } from '../execution/execution';
import { ExecutionState } from '../execution/execution-state.enum';
import type { CancelOutcome, DocketDepths, WorkerInfo } from '../store';
import { describeStrike, type Strike } from '../tasks/strike';
import { Agenda } from './agenda';
import { countCancelled, traced } from '../telemetry/docket-telemetry';
import { ATTR } from '../telemetry/telemetry-names';
import { readStrikes, writeStrike } from '../tasks/strike-list';
import { ruleOf } from '../tasks/strike-rule';
import { TaskRegistry, type RegisterOptions, type TaskFunction } from '../tasks/task-registry';
import { WORKER_TTL_MS } from '../worker/worker.options';
import { AddSender } from './add-sender';
import { DocketConnection } from './docket-connection';
import { checkHealth, checkHealthOptions, type DocketHealth, type HealthOptions } from './docket-health';
import { clearPending, readPending, summarize, type DocketSnapshot } from './docket-snapshot';
import { prepareCall, resolveWhen, type AddOptions, type ReplaceOptions, type TaskArgs, type TaskCall, type TaskResult } from './task-call';

export type { AddOptions, ReplaceOptions, TaskArgs, TaskCall, TaskResult } from './task-call';

/**
 * A named queue of tasks in Redis, shared by producers and workers.
 *
 * @example
 * const docket = new Docket({ name: 'orders', url: 'redis://localhost:6379/0' });
 * docket.register(processOrder);
 * const execution = await docket.add(processOrder)(12345);
 * console.log(await execution.getResult({ timeout: 30_000 }));
 * await docket.close();
 */
export class Docket extends DocketConnection {
  /** The tasks this process knows. */
  readonly tasks = new TaskRegistry();
  private readonly adds: AddSender = new AddSender(this);

  /**
   * Registers a task under `name` (default: the function's name). Workers run only tasks they
   * have registered; producers may add by function or by name.
   *
   * @example
   * docket.register(async function sendEmail(to: string) { … });
   */
  register<F extends TaskFunction>(fn: F, options: NoInfer<RegisterOptions<F>> = {}): F {
    this.tasks.register(fn, options as RegisterOptions);
    return fn;
  }

  /**
   * An {@link Agenda}: calls collected, then added with their due times spread over a window.
   *
   * @example
   * await docket.agenda().add(report)('north').add(report)('south').scatter({ over: 600_000 });
   */
  agenda(): Agenda {
    return new Agenda(this);
  }

  /**
   * Prepares a call without sending it, for {@link Docket.addMany}.
   *
   * @example
   * await docket.addMany(ids.map((id) => docket.call(processOrder)(id)));
   */
  call<F extends TaskFunction>(task: F, options?: AddOptions): (...args: TaskArgs<F>) => TaskCall<TaskResult<F>>;
  call(task: string, options?: AddOptions): (...args: unknown[]) => TaskCall;
  call<F extends TaskFunction>(task: F | string, options: AddOptions = {}): (...args: TaskArgs<F>) => TaskCall<TaskResult<F>> {
    const definition = this.tasks.resolve(task);
    const time = resolveWhen(options, () => this.backend.now());
    return (...args) => prepareCall(this.codec, definition, 'add', time, options.key, args) as TaskCall<TaskResult<F>>;
  }

  /**
   * Schedules a task: now, at `when`, or after `delay` ms. With a `key` that is already
   * scheduled, queued or running nothing changes, and the returned execution says
   * `Disposition.ALREADY_SCHEDULED`.
   *
   * @throws UnknownTaskError for a name no task has; SerializationError for an argument that
   *   cannot be carried (nothing is written); InvalidOptionsError for `when` with `delay`.
   * @example
   * const execution = await docket.add(processOrder, { delay: 5_000 })(12345);
   */
  add<F extends TaskFunction>(task: F, options?: AddOptions): (...args: TaskArgs<F>) => Promise<Execution<TaskResult<F>>>;
  add<R = unknown>(task: string, options?: AddOptions): (...args: unknown[]) => Promise<Execution<R>>;
  add<F extends TaskFunction>(task: F | string, options: AddOptions = {}): (...args: TaskArgs<F>) => Promise<Execution<TaskResult<F>>> {
    const definition = this.tasks.resolve(task);
    const time = resolveWhen(options, () => this.backend.now());
    return async (...args) => {
      const span = this.telemetry.producer('add', definition.name);
      const send = (): Promise<Execution> => this.adds.sendOne(prepareCall(this.codec, definition, 'add', time, options.key, args, span?.carrier));
      return (await (span ? traced(span, send) : send())) as Execution<TaskResult<F>>;
    };
  }

  /**
   * Supersedes whatever runs under `key` with a new call: the old one is removed if pending, or
   * left to finish unrecorded if running (its outcome no longer counts).
   *
   * @example
   * await docket.replace(sendDigest, { key: 'digest:42', delay: 60_000 })(42);
   */
  replace<F extends TaskFunction>(task: F, options: ReplaceOptions): (...args: TaskArgs<F>) => Promise<Execution<TaskResult<F>>>;
  replace<R = unknown>(task: string, options: ReplaceOptions): (...args: unknown[]) => Promise<Execution<R>>;
  replace<F extends TaskFunction>(task: F | string, options: ReplaceOptions): (...args: TaskArgs<F>) => Promise<Execution<TaskResult<F>>> {
    if (!options?.key) throw new InvalidOptionsError('replace() needs a key: replace(task, { key, when | delay }).');
    const definition = this.tasks.resolve(task);
    const time = resolveWhen(options, () => this.backend.now());
    return async (...args) => {
      const span = this.telemetry.producer('replace', definition.name);
      const send = (): Promise<Execution> => this.adds.sendOne(prepareCall(this.codec, definition, 'replace', time, options.key, args, span?.carrier));
      return (await (span ? traced(span, send) : send())) as Execution<TaskResult<F>>;
    };
  }

  /**
   * Adds many prepared calls in one pipelined round trip.
   *
   * @example
   * const executions = await docket.addMany(orders.map((o) => docket.call(processOrder)(o.id)));
   */
  addMany(calls: readonly TaskCall[]): Promise<Execution[]> {
    const span = this.telemetry.producer('add_many', undefined, { [ATTR.batchCount]: calls.length });
    if (!span) return this.adds.send(calls);
    // The batch's span is the trace of each call that was prepared outside one.
    for (const call of calls) if (call.trace === '') call.trace = span.carrier;
    return traced(span, () => this.adds.send(calls), () => ({}));
  }

  /**
   * Strikes a task, or the calls of tasks whose argument matches, across every process of the
   * docket: a struck call is not added (its execution says `Disposition.STRUCK`, and
   * `getResult()` throws TaskStruckError), and a run queued or scheduled before the strike ends
   * CANCELLED at the worker instead of starting. Running runs go on. A task given by name or
   * function strikes the whole task.
   *
   * @returns true when the strike is new, false when it was in effect already
   * @throws InvalidOptionsError for a rule that cannot match (see {@link Strike})
   * @example
   * await docket.strike(sendEmail);
   * await docket.strike({ task: 'chargeCard', parameter: 'amount', operator: '>', value: 10_000 });
   */
  async strike(what: Strike | TaskFunction | string): Promise<boolean> {
    return this.writeRule(what, 'strike');
  }

  /**
   * Lifts a strike made with the same rule. Runs it cancelled stay cancelled; calls added from
   * now on run again.
   *
   * @returns true when the strike was in effect
   * @example
   * await docket.restore({ task: 'chargeCard', parameter: 'amount', operator: '>', value: 10_000 });
   */
  async restore(what: Strike | TaskFunction | string): Promise<boolean> {
    return this.writeRule(what, 'restore');
  }

  /**
   * The strikes in effect, read from Redis.
   *
   * @example
   * for (const s of await docket.strikes()) console.log(describeStrike(s));
   */
  async strikes(): Promise<Strike[]> {
    return this.withStore((store) => readStrikes(store, this.codec, this.logger));
  }

  private async writeRule(what: Strike | TaskFunction | string, verb: 'strike' | 'restore'): Promise<boolean> {
    const task = typeof what === 'function' ? (this.tasks.find(what)?.name ?? what.name) : what;
    const rule = ruleOf(typeof task === 'string' ? { task } : task, this.codec, verb);
    const span = this.telemetry.producer(verb, rule.strike.task, { 'docket.strike': describeStrike(rule.strike) });
    const write = (): Promise<boolean> => this.withStore((store) => writeStrike(store, rule, verb === 'restore'));
    const changed = await (span ? traced(span, write, (c) => ({ 'docket.changed': c })) : write());
    // This process obeys it from its next add on; others follow the channel.
    this.knownStrikes()?.follow(rule, verb === 'restore');
    return changed;
  }

  /**
   * Cancels an execution. Scheduled or queued work never runs and ends CANCELLED at once;
   * running work has its AbortSignal aborted and ends CANCELLED when the task returns.
   *
   * @returns 'cancelled', 'cancelling' (running, abort requested), 'missing', or the terminal
   *   state it already had
   * @example
   * await docket.cancel(execution.key);
   */
  async cancel(key: string): Promise<CancelOutcome> {
    const span = this.telemetry.producer('cancel', undefined, { [ATTR.key]: key });
    const cancel = (): Promise<CancelOutcome> => this.withStore((store) => store.cancel(key, Date.now(), this.executionTtl));
    const outcome = await (span ? traced(span, cancel, (o) => ({ [ATTR.outcome]: o })) : cancel());
    // A running run is counted when it ends CANCELLED at its worker.
    if (outcome === 'cancelled') countCancelled(this.telemetry, 1);
    return outcome;
  }

  /**
   * A handle on the execution under `key` without reading it; call `sync()` or `subscribe()`.
   *
   * @example
   * docket.execution(key).subscribe().subscribe(console.log);
   */
  execution<R = unknown>(key: string): Execution<R> {
    return new Execution<R>(this, key, { state: ExecutionState.SCHEDULED, taskName: '', when: new Date(0) });
  }

  /**
   * The execution under `key`, read from Redis, or null when there is none (never added, or
   * finished longer ago than `executionTtl`).
   *
   * @example
   * const execution = await docket.getExecution('order-12345');
   */
  async getExecution<R = unknown>(key: string): Promise<Execution<R> | null> {
    const record = await this.withStore((store) => store.read(key));
    if (!record) return null;
    const execution = this.execution<R>(key);
    execution.apply(record);
    return execution;
  }

  /**
   * Scheduled, queued and running executions (up to `limit` of each kind) and live workers.
   *
   * @example
   * const { running, queued, scheduled, workers } = await docket.snapshot();
   */
  async snapshot(limit = 1000): Promise<DocketSnapshot> {
    const takenAt = new Date();
    const { records, ...lengths } = await this.withStore((store) => readPending(store, limit));
    return { takenAt, ...summarize(records), workers: await this.workers(), ...lengths };
  }

  /**
   * The workers whose heartbeat is fresh, newest first.
   *
   * @example
   * for (const w of await docket.workers()) console.log(w.name, w.lastSeen, w.tasks);
   */
  async workers(): Promise<WorkerInfo[]> {
    return this.withStore((store) => store.workers(WORKER_TTL_MS, Date.now()));
  }

  /**
   * How much work the docket holds: due and waiting, running, scheduled for later, since when
   * the oldest due one waits, and live workers. One round trip.
   *
   * @example
   * const { queued, running, scheduled } = await docket.depths();
   */
  async depths(): Promise<DocketDepths> {
    return this.withStore((store) => store.depths(Date.now(), WORKER_TTL_MS));
  }

  /**
   * Checks the docket's health: Redis answers within `timeout`, at least `minWorkers` workers are
   * alive, and (when bounds are given) the work due is not more than `maxQueued` nor waiting
   * longer than `maxDueAge`. A Redis that cannot be reached, or does not answer in time, is a
   * problem it reports, not an error it throws.
   *
   * @throws InvalidOptionsError for a threshold that is not a number ≥ 0, or a `timeout` of 0
   *
   * @example
   * const { healthy, problems } = await docket.health({ minWorkers: 2, maxDueAge: 60_000 });
   */
  async health(options: HealthOptions = {}): Promise<DocketHealth> {
    checkHealthOptions(options);
    return checkHealth((use) => this.withStore(use), WORKER_TTL_MS, options);
  }

  /**
   * Cancels every scheduled and queued execution (running ones are left alone).
   *
   * @returns how many were cleared
   * @example
   * const cleared = await docket.clear();
   */
  async clear(): Promise<number> {
    const span = this.telemetry.producer('clear', undefined);
    const clear = (): Promise<number> => this.withStore((store) => clearPending(store, this.executionTtl));
    const cleared = await (span ? traced(span, clear, (n) => ({ 'docket.cleared': n })) : clear());
    countCancelled(this.telemetry, cleared);
    return cleared;
  }

  /**
   * Every state and progress event of every execution of this docket, live (no snapshot), for
   * dashboards. Shares the process's subscriber connection (one PSUBSCRIBE per docket).
   * `onReady` runs once Redis has confirmed the subscription: every event published from then on
   * arrives (before it, the subscription is still on its way).
   *
   * @example
   * docket.events$().subscribe((e) => console.log(e.key, e.type));
   * docket.events$({ onReady: () => void docket.add(task)() }).subscribe(console.log); // sees the add's events
   */
  events$(options: { onReady?: () => void } = {}): Observable<ExecutionEvent> {
    return docketEvents(this.hub(), this.keys.eventsPattern, options);
  }
}
