/**
 * The two faces of `docket watch`, both pure functions of (view, now):
 * - {@link renderWatchView}: the whole view, redrawn in place on a terminal;
 * - {@link renderWatchLine}: one plain line per event, for pipes and files.
 */
import type { ExecutionEvent, ExecutionStateEvent } from '../../core/execution/execution-event';
import { ExecutionState, isTerminal } from '../../core/execution/execution-state.enum';
import { describeWaitingFor, isConcurrencyWait } from '../../core/execution/waiting-for';
import { renderProgressBar } from './progress-bar';
import { STATE_COLORS, plainStyle, truncate, type Style } from './style';
import { formatAge, formatClock, formatDateTime, formatRelative } from './time';
import type { WatchView } from './watch-view';

/** How to render: colours or not, and the screen width to cut lines to (0 = never cut). */
export interface WatchRenderOptions {
  readonly style?: Style;
  readonly width?: number;
}

/**
 * The title line: which task, key and docket, and how a recurring task repeats.
 *
 * @example
 * renderWatchHeader(view); // 'Task: trace  Key: 0192…  Docket: emails'
 */
export function renderWatchHeader(view: WatchView, style: Style = plainStyle): string {
  const task = view.task || '(unknown task)';
  const repeats = view.recurrence ? `  ${style('Repeats:', 'dim')} ${view.recurrence}` : '';
  return `${style('Task:', 'dim')} ${style(task, 'bold')}  ${style('Key:', 'dim')} ${view.key}  ${style('Docket:', 'dim')} ${view.docket}${repeats}`;
}

/**
 * The full view: state (with the worker), due or start time, elapsed time, progress bar,
 * message and when it was last updated, and at the end the outcome and error.
 *
 * @example
 * renderWatchView(view, new Date());
 * // ['Task: …', 'State: RUNNING (worker-1)', 'Started: 2025-01-15 10:30:05', 'Elapsed: 0:10', '',
 * //  'Progress: [████████████░░░░░░░░] 60/100 (60.0%)', 'Message: Processing records...', 'Updated: …']
 */
export function renderWatchView(view: WatchView, now: Date, options: WatchRenderOptions = {}): string[] {
  const style = options.style ?? plainStyle;
  const label = (text: string): string => style(text, 'dim');
  const state = style(view.state.toUpperCase(), STATE_COLORS[view.state]);
  const lines = [renderWatchHeader(view, style)];
  if (view.lastOutcome) lines.push(`${label('Last run:')} ${view.lastOutcome.state} ${formatRelative(view.lastOutcome.at, now)}`);
  lines.push(`${label('State:')} ${state}${view.worker ? ` (${view.worker})` : ''}`);
  if (view.state === ExecutionState.SCHEDULED && view.waitingFor) {
    const due = isConcurrencyWait(view.waitingFor) || !view.when ? '' : `, due ${formatDateTime(view.when)} (${formatRelative(view.when, now)})`;
    lines.push(`${label('Waiting:')} for ${describeWaitingFor(view.waitingFor)}${due}`);
  } else if (view.state === ExecutionState.SCHEDULED && view.when) {
    lines.push(`${label('Due:')} ${formatDateTime(view.when)} (${formatRelative(view.when, now)})`);
  }
  if (view.attempt !== undefined && view.attempt > 1) lines.push(`${label('Attempt:')} ${view.attempt}`);
  if (view.error && !isTerminal(view.state)) lines.push(`${label('Last error:')} ${style(view.error, 'red')}`);
  if (view.startedAt) {
    lines.push(`${label('Started:')} ${formatDateTime(view.startedAt)}`);
    if (view.completedAt && isTerminal(view.state)) lines.push(`${label('Finished:')} ${formatDateTime(view.completedAt)}`);
    lines.push(`${label('Elapsed:')} ${formatClock(elapsedMs(view, now))}`);
  }
  if (view.progress) {
    const { current, total, message, updatedAt } = view.progress;
    lines.push('', `${label('Progress:')} ${renderProgressBar(current, total)}`);
    if (message) lines.push(`${label('Message:')} ${message}`);
    if (updatedAt) {
      const ago = isTerminal(view.state) ? '' : ` (${formatAge(now.getTime() - updatedAt.getTime())} ago)`;
      lines.push(`${label('Updated:')} ${formatDateTime(updatedAt)}${ago}`);
    }
  }
  if (isTerminal(view.state)) {
    lines.push('', `${label('Outcome:')} ${style(outcome(view, now), STATE_COLORS[view.state])}`);
    if (view.error) lines.push(`${label('Error:')} ${style(view.error, 'red')}`);
    if (view.recurrence && view.nextRun !== undefined) lines.push(`${label('Next run:')} ${nextRunText(view, now)}`);
  }
  const width = options.width ?? 0;
  return width > 0 ? lines.map((line) => truncate(line, width)) : lines;
}

/** ' for attempt N after: <error>' on the event that queues or schedules a retry, else ''. */
function retrying(event: ExecutionStateEvent): string {
  return event.error ? ` for attempt ${event.attempt ?? '?'} after: ${event.error}` : '';
}

/**
 * One plain line for one event, stamped with the time it was seen. `view` is the view after
 * the event.
 *
 * @example
 * renderWatchLine(view, event, now); // '2025-01-15 10:30:15 PROGRESS [████████████░░░░░░░░] 60/100 (60.0%) Processing records...'
 */
export function renderWatchLine(view: WatchView, event: ExecutionEvent, now: Date): string {
  const stamp = formatDateTime(now);
  if (event.type === 'progress') {
    const message = event.message ? ` ${event.message}` : '';
    return `${stamp} PROGRESS ${renderProgressBar(event.current, event.total)}${message}`;
  }
  const state = event.state.toUpperCase();
  switch (event.state) {
    case ExecutionState.SCHEDULED:
      if (event.waitingFor) {
        const due = isConcurrencyWait(event.waitingFor) || !view.when ? '' : ` until ${formatDateTime(view.when)} (${formatRelative(view.when, now)})`;
        return `${stamp} ${state} waiting for ${describeWaitingFor(event.waitingFor)}${due}`;
      }
      return `${stamp} ${state}${view.when ? ` due ${formatDateTime(view.when)} (${formatRelative(view.when, now)})` : ''}${retrying(event)}`;
    case ExecutionState.QUEUED:
      return `${stamp} ${state}${retrying(event)}`;
    case ExecutionState.RUNNING:
      return `${stamp} ${state}${view.worker ? ` on ${view.worker}` : ''}`;
    case ExecutionState.COMPLETED:
    case ExecutionState.FAILED:
    case ExecutionState.CANCELLED:
      return `${stamp} ${state} ${outcome(view, now)}${view.error ? `: ${view.error}` : ''}`;
    default:
      return `${stamp} ${state}`;
  }
}

/**
 * The line that ends a recurring run's plain output: when the next run is due, or that the
 * chain ended.
 *
 * @example
 * renderNextRunLine(view, now); // '2025-01-15 10:30:15 NEXT run due 2025-01-15 10:31:15 (in 1:00)'
 */
export function renderNextRunLine(view: WatchView, now: Date): string {
  return `${formatDateTime(now)} NEXT run ${nextRunText(view, now)}`;
}

/** When a recurring task runs next, or that its chain ended (cancelled, or nothing scheduled under its key). */
function nextRunText(view: WatchView, now: Date): string {
  return view.nextRun ? `due ${formatDateTime(view.nextRun)} (${formatRelative(view.nextRun, now)})` : 'none (the chain ended)';
}

function elapsedMs(view: WatchView, now: Date): number {
  if (!view.startedAt) return 0;
  const end = isTerminal(view.state) && view.completedAt ? view.completedAt : now;
  return end.getTime() - view.startedAt.getTime();
}

function outcome(view: WatchView, now: Date): string {
  const span = view.startedAt ? formatClock(elapsedMs(view, now)) : '';
  switch (view.state) {
    case ExecutionState.COMPLETED:
      return `✓ completed${span && ` in ${span}`}`;
    case ExecutionState.FAILED:
      return `✗ failed${span && ` after ${span}`}`;
    case ExecutionState.CANCELLED:
      return `⊘ cancelled${span && ` after ${span}`}${view.startedAt ? '' : ' before it started'}`;
    default:
      return view.state;
  }
}
