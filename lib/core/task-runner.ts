/**
 * Runs one claimed execution: decodes its arguments, calls the task inside its TaskContext,
 * and turns what happened into a Completion. Knows nothing of the worker's loop.
 */
import type { Docket } from './docket';
import { ExecutionCancelledError, UnknownTaskError } from './errors/docket.errors';
import { ExecutionProgress } from './execution-progress';
import { ExecutionState } from './execution-state.enum';
import type { DocketLogger } from './logger';
import type { ClaimedRun, Completion, DocketStore } from './redis/docket-store';
import { runInTaskContext, type TaskContext } from './task-context';

/** A run in progress, as the worker tracks it. */
export interface ActiveRun {
  readonly run: ClaimedRun;
  readonly controller: AbortController;
  /** Settles with the completion to write, or undefined when the run was abandoned. */
  readonly done: Promise<Completion | undefined>;
  abandoned: boolean;
}

function taskLogger(base: DocketLogger, label: string): DocketLogger {
  return {
    log: (m, ...r) => base.log(`${label} ${m}`, ...r),
    warn: (m, ...r) => base.warn(`${label} ${m}`, ...r),
    error: (m, ...r) => base.error(`${label} ${m}`, ...r),
    debug: (m, ...r) => base.debug?.(`${label} ${m}`, ...r),
  };
}

const ms = (n: number): string => `${Math.round(n)}ms`.padStart(7);

/** Starts `run` and returns its handle at once. */
export function startRun(docket: Docket, store: DocketStore, worker: string, run: ClaimedRun, logger: DocketLogger): ActiveRun {
  const controller = new AbortController();
  if (run.cancelRequested) controller.abort(new ExecutionCancelledError(run.key));
  const active: ActiveRun = { run, controller, abandoned: false, done: Promise.resolve(undefined) };
  (active as { done: Promise<Completion | undefined> }).done = execute(docket, store, worker, active, logger);
  return active;
}

async function execute(docket: Docket, store: DocketStore, worker: string, active: ActiveRun, logger: DocketLogger): Promise<Completion | undefined> {
  const { run, controller } = active;
  const definition = docket.tasks.get(run.task);
  const progress = new ExecutionProgress(async (current, total, message) => {
    await store.progress(run.key, run.generation, Date.now(), current, total, message);
  });
  const base: Omit<Completion, 'outcome'> = { key: run.key, messageId: run.id, generation: run.generation, result: '', errorSummary: '', failure: '' };
  const started = Date.now();
  let call = `${run.task}(…){${run.key}}`;
  try {
    if (!definition) throw new UnknownTaskError(run.task, docket.tasks.names());
    const args = docket.codec.decode(run.args) as unknown[];
    call = definition.describe ? `${definition.describe(args)}{${run.key}}` : call;
    const label = `[${run.task} ${run.key} @${worker} #${run.attempt}]`;
    logger.log(`${run.attempt > 1 ? '↬' : '↪'} [${ms(started - run.when)}] ${call}`);
    const context: TaskContext = {
      docketName: docket.name,
      key: run.key,
      taskName: run.task,
      attempt: run.attempt,
      worker,
      progress,
      signal: controller.signal,
      logger: taskLogger(logger, label),
    };
    // A cancelled run ends when its signal aborts, whether or not the task honours it: a task
    // that ignores the signal goes on in the background, but its outcome no longer counts.
    const cancelled = new Promise<never>((_, reject) => {
      if (controller.signal.aborted) reject(controller.signal.reason);
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    cancelled.catch(() => undefined);
    const value = await Promise.race([runInTaskContext(context, () => definition.invoke(args, context)), cancelled]);
    await progress.close();
    if (controller.signal.aborted) {
      logger.log(`✗ [${ms(Date.now() - started)}] ${call} (cancelled)`);
      return { ...base, outcome: ExecutionState.CANCELLED };
    }
    const result = value === undefined || docket.executionTtl === 0 ? '' : docket.codec.encode(value, 'result', `task "${run.task}"`);
    logger.log(`↩ [${ms(Date.now() - started)}] ${call}`);
    return { ...base, outcome: ExecutionState.COMPLETED, result };
  } catch (thrown) {
    await progress.close();
    if (controller.signal.aborted && controller.signal.reason instanceof ExecutionCancelledError) {
      logger.log(`✗ [${ms(Date.now() - started)}] ${call} (cancelled)`);
      return { ...base, outcome: ExecutionState.CANCELLED };
    }
    const failure = docket.errorCodec.serialize(thrown);
    logger.error(`↩ [${ms(Date.now() - started)}] ${call} failed: ${docket.errorCodec.summary(failure)}`, failure.stack);
    return {
      ...base,
      outcome: ExecutionState.FAILED,
      errorSummary: docket.errorCodec.summary(failure),
      failure: docket.executionTtl === 0 ? '' : JSON.stringify(failure),
    };
  }
}
