import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionProgress } from '../execution/execution-progress';
import type { PerpetualControl } from '../tasks/perpetual';
import type { DocketLogger } from '../util/logger';

/**
 * What a running task can know about its own run. Core tasks read it with
 * {@link currentTask}; the Nest layer injects its parts as parameters.
 *
 * @example
 * docket.register(async function resize(path: string) {
 *   const { progress, signal } = currentTask();
 *   await progress.setTotal(3);
 *   if (signal.aborted) return;
 * });
 */
export interface TaskContext {
  /** The docket the run belongs to. */
  readonly docketName: string;
  /** The execution's key. */
  readonly key: string;
  /** The registered task name. */
  readonly taskName: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** When the run was due (for a perpetual or cron task, the tick it runs for). */
  readonly when: Date;
  /** The worker running it (`host#pid` by default). */
  readonly worker: string;
  /** Report progress here. */
  readonly progress: ExecutionProgress;
  /** Aborted when the execution is cancelled, with an ExecutionCancelledError as the reason. */
  readonly signal: AbortSignal;
  /** For a perpetual task: what the next run will be (cancel it, or move it); undefined otherwise. */
  readonly perpetual?: PerpetualControl;
  /**
   * Gives the run `ms` more before its `timeout` aborts it (nothing happens for a task without
   * a timeout).
   */
  extendTimeout(ms: number): void;
  /** A logger whose lines carry the task name, key, worker and attempt. */
  readonly logger: DocketLogger;
}

const storage = new AsyncLocalStorage<TaskContext>();

/**
 * The context of the task running in the current async call chain.
 *
 * @example
 * const { key, progress } = currentTask();
 * @throws Error when called outside a running task.
 */
export function currentTask(): TaskContext {
  const ctx = storage.getStore();
  if (!ctx) throw new Error('currentTask() was called outside a running docket task');
  return ctx;
}

/** @internal Runs `fn` with `ctx` as the current task context. */
export function runInTaskContext<T>(ctx: TaskContext, fn: () => T): T {
  return storage.run(ctx, fn);
}
