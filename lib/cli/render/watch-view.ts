/**
 * What `docket watch` knows about one execution, folded from the events of
 * `Execution.subscribe()`. Immutable, so that rendering is a pure function of (view, now).
 */
import type { ExecutionEvent, ExecutionStateEvent } from '../../core/execution/execution-event';
import type { Execution } from '../../core/execution/execution';
import { ExecutionState } from '../../core/execution/execution-state.enum';
import { isoOrNull } from '../json-output';

/** The latest progress report. */
export interface WatchProgress {
  readonly current: number;
  readonly total: number;
  readonly message: string | null;
  readonly updatedAt?: Date;
}

/**
 * One execution as the watch view shows it.
 *
 * @example
 * const view = applyWatchEvent(watchViewOf(execution, 'emails'), event);
 */
export interface WatchView
  extends Pick<ExecutionStateEvent, 'key' | 'state' | 'when' | 'worker' | 'startedAt' | 'completedAt' | 'error' | 'attempt' | 'waitingFor'> {
  readonly docket: string;
  /** The registered task name ('' when unknown). */
  readonly task: string;
  /** Absent until the task first reports progress. */
  readonly progress?: WatchProgress;
  /** How a perpetual or cron task repeats, in words; absent for a one-off task. */
  readonly recurrence?: string;
  /** How the run before this one of a recurring task ended, and when. */
  readonly lastOutcome?: { readonly state: ExecutionState; readonly at: Date };
  /** Once a recurring run has finished: when the run after it is due, or null when the chain ended (undefined: not known yet). */
  readonly nextRun?: Date | null;
}

/**
 * The view of an execution as last read from Redis.
 *
 * @example
 * const view = watchViewOf(await docket.getExecution(key), docket.name);
 */
export function watchViewOf(execution: Execution, docket: string): WatchView {
  const { current, total, message, updatedAt } = execution.progress;
  return {
    key: execution.key,
    docket,
    task: execution.taskName,
    state: execution.state,
    when: execution.when,
    worker: execution.worker,
    startedAt: execution.startedAt,
    completedAt: execution.completedAt,
    error: execution.error,
    attempt: execution.attempt,
    waitingFor: execution.waitingFor,
    progress: updatedAt ? { current, total, message, updatedAt } : undefined,
    recurrence: execution.recurrence,
    lastOutcome: execution.lastOutcome,
  };
}

/**
 * The view after one event. A state event keeps what it does not mention (a RUNNING event
 * carries no due time; a COMPLETED one may carry no worker), except that a run queued or
 * scheduled again (a retry) has no worker or start time until one claims it, and a run that
 * completes has no error.
 *
 * @example
 * view = applyWatchEvent(view, { type: 'progress', key, seq: 7, current: 3, total: 10, message: null, updatedAt: new Date() });
 */
export function applyWatchEvent(view: WatchView, event: ExecutionEvent): WatchView {
  if (event.type === 'progress') {
    const { current, total, message, updatedAt } = event;
    return { ...view, progress: { current, total, message, updatedAt } };
  }
  const waiting = event.state === ExecutionState.QUEUED || event.state === ExecutionState.SCHEDULED;
  return {
    ...view,
    state: event.state,
    when: event.when ?? view.when,
    worker: waiting ? undefined : (event.worker ?? view.worker),
    startedAt: waiting ? undefined : (event.startedAt ?? view.startedAt),
    completedAt: event.completedAt ?? view.completedAt,
    error: event.state === ExecutionState.COMPLETED ? event.error : (event.error ?? view.error),
    attempt: event.attempt ?? view.attempt,
    waitingFor: event.waitingFor,
  };
}

/** `docket watch --json`: the execution as last seen, dates as ISO 8601, absent values null. */
export type WatchJson = {
  docket: string;
  key: string;
  task: string;
  state: ExecutionState;
  when: string | null;
  worker: string | null;
  startedAt: string | null;
  completedAt: string | null;
  attempt: number | null;
  /** `Name: message` of the failure (or of the last attempt's, while a retry waits). */
  error: string | null;
  waitingFor: string | null;
  progress: { current: number; total: number; message: string | null; updatedAt: string | null } | null;
  /** How a perpetual or cron task repeats; null for a one-off task. */
  recurrence: string | null;
  lastOutcome: { state: ExecutionState; at: string } | null;
  /** When the next run of a recurring task is due, once this one has finished. */
  nextRun: string | null;
};

/**
 * The view as one JSON document.
 *
 * @example
 * writeJson(io.stdout, watchJson(view));
 */
export function watchJson(view: WatchView): WatchJson {
  const progress = view.progress;
  return {
    docket: view.docket,
    key: view.key,
    task: view.task,
    state: view.state,
    when: isoOrNull(view.when),
    worker: view.worker ?? null,
    startedAt: isoOrNull(view.startedAt),
    completedAt: isoOrNull(view.completedAt),
    attempt: view.attempt ?? null,
    error: view.error ?? null,
    waitingFor: view.waitingFor ?? null,
    progress: progress ? { current: progress.current, total: progress.total, message: progress.message, updatedAt: isoOrNull(progress.updatedAt) } : null,
    recurrence: view.recurrence ?? null,
    lastOutcome: view.lastOutcome ? { state: view.lastOutcome.state, at: view.lastOutcome.at.toISOString() } : null,
    nextRun: isoOrNull(view.nextRun ?? undefined),
  };
}
