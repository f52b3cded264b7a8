import type { PerpetualControl } from '../../core/tasks/perpetual';
import { TASK_PARAMS_METADATA } from '../docket.constants';
import type { InjectedParam, InjectedParamKind } from '../interfaces/task-param.interface';
import { paramDecorator } from './param-metadata.util';

const injected = (kind: InjectedParamKind, decorator: string): ParameterDecorator =>
  paramDecorator<Omit<InjectedParam, 'index'>>(TASK_PARAMS_METADATA, decorator, { kind });

/**
 * Injects the execution's {@link ExecutionProgress}: `setTotal`, `increment`, `setMessage`.
 * Not passed by the caller.
 *
 * @example
 * @Task()
 * async importRows(@Logged({ lengthOnly: true }) rows: Row[], @Progress() progress: ExecutionProgress) {
 *   await progress.setTotal(rows.length);
 *   for (const row of rows) { await save(row); await progress.increment(); }
 * }
 */
export function Progress(): ParameterDecorator {
  return injected('progress', 'Progress');
}

/**
 * Injects a Nest `LoggerService` whose lines carry the docket, task name, key, worker and attempt.
 * Not passed by the caller.
 *
 * @example
 * @Task()
 * async sync(@Logged() accountId: string, @TaskLogger() logger: LoggerService) {
 *   logger.log('Fetching the account'); // [Docket:main sync{0193…} worker=host#12 attempt=1] Fetching the account
 * }
 */
export function TaskLogger(): ParameterDecorator {
  return injected('logger', 'TaskLogger');
}

/**
 * Injects the {@link DocketService} of the docket running the task, to schedule follow-up work.
 * Not passed by the caller.
 *
 * @example
 * @Task()
 * async download(@Logged() url: string, @CurrentDocket() docket: DocketService) {
 *   const path = await fetchTo(url);
 *   await docket.add(this.parse)(path);
 * }
 */
export function CurrentDocket(): ParameterDecorator {
  return injected('docket', 'CurrentDocket');
}

/**
 * Injects the running {@link Execution} (key, task name, attempt, worker). Not passed by the caller.
 *
 * @example
 * @Task()
 * async report(@CurrentExecution() execution: Execution) {
 *   if (execution.attempt > 1) await cleanUpPartialReport(execution.key);
 * }
 */
export function CurrentExecution(): ParameterDecorator {
  return injected('execution', 'CurrentExecution');
}

declare const taskKeyBrand: unique symbol;

/**
 * The key of the running execution, as `@TaskKey()` injects it: a string whose type tells
 * `DocketService.add()` to leave the parameter out of the caller's arguments.
 *
 * @example
 * async resize(@Logged() path: string, @TaskKey() key: TaskKey) { await store.lock(key); }
 */
export type TaskKey = string & { readonly [taskKeyBrand]: true };

/**
 * Injects the running execution's key. Type the parameter as {@link TaskKey} so that callers
 * are not asked for it. Not passed by the caller.
 *
 * @example
 * @Task()
 * async resize(@Logged() path: string, @TaskKey() key: TaskKey) { await store.lock(key); }
 */
export function TaskKey(): ParameterDecorator {
  return injected('key', 'TaskKey');
}

/**
 * Injects the execution's `AbortSignal`, aborted (with an ExecutionCancelledError as reason) when
 * the execution is cancelled or the worker gives up on it at shutdown. Not passed by the caller.
 *
 * @example
 * @Task()
 * async crawl(@Logged() url: string, @Cancellation() signal: AbortSignal) {
 *   return fetch(url, { signal });
 * }
 */
export function Cancellation(): ParameterDecorator {
  return injected('cancellation', 'Cancellation');
}

/**
 * Injects a perpetual task's {@link PerpetualControl}: `cancel()` ends the chain, `after(ms)` and
 * `at(date)` move the next run (undefined for a task that is not perpetual).
 *
 * @example
 * \@Task({ perpetual: { every: 60_000, automatic: true } })
 * async refreshFeed(@Perpetual() perpetual: PerpetualControl) {
 *   if (await this.feed.isGone()) perpetual.cancel();
 * }
 */
export function Perpetual(): ParameterDecorator {
  return injected('perpetual', 'Perpetual');
}
