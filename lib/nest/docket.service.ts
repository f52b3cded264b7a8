import { Observable, share } from 'rxjs';
import type { AddOptions, Docket, ReplaceOptions, TaskResult } from '../core/producer/docket';
import type { DocketSnapshot } from '../core/producer/docket-snapshot';
import type { Execution } from '../core/execution/execution';
import type { ExecutionEvent } from '../core/execution/execution-event';
import type { CancelOutcome } from '../core/store';
import type { Strike } from '../core/tasks/strike';
import type { TaskFunction } from '../core/tasks/task-registry';
import { TaskNotRegisteredError } from './errors/task-not-registered.error';
import type { TaskCallerArgs } from './task-args.types';

/**
 * A docket as the app's providers use it: schedule `@Task()` methods with type-checked
 * arguments, cancel them, read them back, and watch every execution live.
 *
 * With one docket, inject it by class; with several, by name with `@InjectDocket('emails')`.
 *
 * @example
 * @Controller('orders')
 * export class OrdersController {
 *   constructor(private readonly docket: DocketService, private readonly tasks: OrderTasks) {}
 *
 *   @Post()
 *   async create(@Body() body: { customerId: string; items: string[] }) {
 *     const execution = await this.docket.add(this.tasks.processOrder)(body.customerId, body.items);
 *     return { key: execution.key };
 *   }
 * }
 */
export class DocketService {
  /**
   * Every state and progress event of every execution of this docket, live, as one Observable
   * for dashboards. Cold and shared: the first subscriber opens one pattern subscription (on
   * the process's shared subscriber connection) and the last one to leave closes it.
   *
   * @example
   * this.docket.events$.pipe(filter((e) => e.type === 'state')).subscribe((e) => console.log(e.key, e.state));
   */
  readonly events$: Observable<ExecutionEvent>;

  /** @internal Made by DocketModule. */
  constructor(
    /** The core docket, for what this facade does not cover (`addMany`, `workers`, `clear` …). */
    readonly docket: Docket,
    /** The name the module was registered under (`@InjectDocket(alias)`). */
    readonly alias: string,
  ) {
    this.events$ = docket.events$().pipe(share());
  }

  /** The docket's name, with which every Redis key of it starts. */
  get name(): string {
    return this.docket.name;
  }

  /**
   * Schedules a task now, at `when`, or after `delay` ms, under `key` (a fresh UUIDv7 by default).
   * The returned function takes exactly the task's own arguments (injected parameters excluded)
   * and resolves to an {@link Execution} whose `getResult()` is typed by the task's return type.
   * With a `key` already scheduled, queued or running, nothing changes.
   *
   * @throws TaskNotRegisteredError for a method that is no task of this docket
   * @example
   * const execution = await this.docket.add(this.orders.processOrder, { delay: 5_000 })('12345', ['a', 'b']);
   * const { total } = await execution.getResult({ timeout: 30_000 });
   */
  add<F extends TaskFunction>(task: F, options?: AddOptions): (...args: TaskCallerArgs<F>) => Promise<Execution<TaskResult<F>>>;
  /**
   * Schedules a task by its registered name; arguments and result are not type-checked.
   *
   * @example
   * await this.docket.add('processOrder')('12345', ['a']);
   */
  add<R = unknown>(task: string, options?: AddOptions): (...args: unknown[]) => Promise<Execution<R>>;
  add(task: TaskFunction | string, options: AddOptions = {}): (...args: unknown[]) => Promise<Execution> {
    return this.docket.add(this.taskName(task), options);
  }

  /**
   * Supersedes whatever runs under `options.key` with a new call: pending work is replaced,
   * running work is left to finish unrecorded. Typed like {@link DocketService.add}.
   *
   * @example
   * await this.docket.replace(this.digests.send, { key: `digest:${userId}`, delay: 60_000 })(userId);
   */
  replace<F extends TaskFunction>(task: F, options: ReplaceOptions): (...args: TaskCallerArgs<F>) => Promise<Execution<TaskResult<F>>>;
  /**
   * Replaces by task name; arguments and result are not type-checked.
   *
   * @example
   * await this.docket.replace('sendDigest', { key: 'digest:42' })(42);
   */
  replace<R = unknown>(task: string, options: ReplaceOptions): (...args: unknown[]) => Promise<Execution<R>>;
  replace(task: TaskFunction | string, options: ReplaceOptions): (...args: unknown[]) => Promise<Execution> {
    return this.docket.replace(this.taskName(task), options);
  }

  /**
   * Cancels the execution under `key`: pending work never runs; running work sees its
   * `@Cancellation()` signal aborted.
   *
   * @returns 'cancelled', 'cancelling' (running, abort requested), 'missing', or the terminal
   *   state it already had
   * @example
   * await this.docket.cancel(key);
   */
  cancel(key: string): Promise<CancelOutcome> {
    return this.docket.cancel(key);
  }

  /**
   * The execution under `key`, read from Redis, or null when there is none (never added, or
   * finished longer ago than `executionTtl`).
   *
   * @example
   * const execution = await this.docket.getExecution<OrderTotal>(key);
   * if (!execution) throw new NotFoundException();
   * execution.subscribe().subscribe(console.log);
   */
  getExecution<R = unknown>(key: string): Promise<Execution<R> | null> {
    return this.docket.getExecution<R>(key);
  }

  /**
   * Scheduled, queued and running executions (up to `limit` of each) and the live workers.
   *
   * @example
   * const { running, queued, workers } = await this.docket.snapshot();
   */
  snapshot(limit?: number): Promise<DocketSnapshot> {
    return this.docket.snapshot(limit);
  }

  /**
   * Strikes a task (by method or name), or the calls whose argument matches, in every process
   * of the docket: struck calls are not added, and struck runs still waiting end CANCELLED
   * instead of starting (see `Docket.strike`).
   *
   * @returns true when the strike is new
   * @example
   * await this.docket.strike({ task: 'processOrder', parameter: 'customerId', value: 'c-42' });
   */
  strike(what: Strike | TaskFunction | string): Promise<boolean> {
    return this.docket.strike(typeof what === 'object' ? what : this.taskName(what));
  }

  /**
   * Lifts a strike made with the same rule.
   *
   * @returns true when it was in effect
   * @example
   * await this.docket.restore(this.orders.processOrder);
   */
  restore(what: Strike | TaskFunction | string): Promise<boolean> {
    return this.docket.restore(typeof what === 'object' ? what : this.taskName(what));
  }

  /**
   * The strikes in effect, read from Redis.
   *
   * @example
   * const strikes = await this.docket.strikes();
   */
  strikes(): Promise<Strike[]> {
    return this.docket.strikes();
  }

  /** The registered name of a task given by function (looked up, never registered on the fly). */
  private taskName(task: TaskFunction | string): string {
    if (typeof task === 'string') return task;
    const definition = this.docket.tasks.find(task);
    if (!definition) throw new TaskNotRegisteredError(task.name, this.docket.name, this.docket.tasks.names());
    return definition.name;
  }
}
