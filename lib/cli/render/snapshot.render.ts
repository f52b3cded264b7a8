/** The text of `docket snapshot`: what runs, what waits, and (with --stats) counts per task. */
import type { DocketSnapshot, ExecutionSummary } from '../../core/producer/docket-snapshot';
import { ExecutionState } from '../../core/execution/execution-state.enum';
import { renderProgressBar } from './progress-bar';
import { STATE_COLORS, plainStyle, type Style } from './style';
import { renderTable } from './table';
import { formatDateTime, formatRelative } from './time';

/**
 * The snapshot as a title, a summary line and a table of running, queued and scheduled
 * executions (in that order), and with `stats` a table of counts per task.
 *
 * @example
 * out.write(renderSnapshot(await docket.snapshot(), docket.name, new Date(), { stats: true }).join('\n'));
 */
export function renderSnapshot(snapshot: DocketSnapshot, docket: string, now: Date, options: { stats?: boolean; style?: Style } = {}): string[] {
  const style = options.style ?? plainStyle;
  const { running, queued, scheduled, workers } = snapshot;
  const executions = [...running, ...queued, ...scheduled];
  const lines = [
    `${style(`Docket "${docket}"`, 'bold')} as of ${formatDateTime(snapshot.takenAt)}`,
    `${count(workers.length, 'worker')}, ${running.length} running, ${queued.length} queued, ${scheduled.length} scheduled` +
      (snapshot.quarantined > 0 ? `, ${style(`${snapshot.quarantined} quarantined`, 'red')} (docket quarantine ls)` : ''),
    '',
  ];
  if (executions.length === 0) {
    lines.push('Nothing is running, queued or scheduled.');
  } else {
    lines.push(
      ...renderTable(
        [{ title: 'When' }, { title: 'State' }, { title: 'Task' }, { title: 'Key' }, { title: 'Worker' }, { title: 'Started' }, { title: 'Progress' }],
        executions.map((e) => executionRow(e, now, style)),
        style,
      ),
    );
  }
  if (options.stats) lines.push('', ...renderStats(executions, style));
  return lines;
}

function executionRow(e: ExecutionSummary, now: Date, style: Style): string[] {
  return [
    e.waitingFor ? `waiting for "${e.waitingFor}"` : formatRelative(e.when, now),
    style(e.state.toUpperCase(), STATE_COLORS[e.state]),
    e.task,
    e.key,
    e.worker ?? '',
    e.startedAt ? formatRelative(e.startedAt, now) : '',
    e.progress ? `${renderProgressBar(e.progress.current, e.progress.total, 10)}${e.progress.message ? ` ${e.progress.message}` : ''}` : '',
  ];
}

function renderStats(executions: readonly ExecutionSummary[], style: Style): string[] {
  const byTask = new Map<string, { running: number; queued: number; scheduled: number }>();
  for (const e of executions) {
    const counts = byTask.get(e.task) ?? { running: 0, queued: 0, scheduled: 0 };
    if (e.state === ExecutionState.RUNNING) counts.running++;
    else if (e.state === ExecutionState.QUEUED) counts.queued++;
    else if (e.state === ExecutionState.SCHEDULED) counts.scheduled++;
    byTask.set(e.task, counts);
  }
  const rows = [...byTask]
    .map(([task, c]) => ({ task, total: c.running + c.queued + c.scheduled, ...c }))
    .sort((a, b) => b.total - a.total || a.task.localeCompare(b.task))
    .map((r) => [r.task, String(r.total), String(r.running), String(r.queued), String(r.scheduled)]);
  const right = 'right' as const;
  return [
    style('Executions per task', 'bold'),
    ...(rows.length === 0
      ? ['(none)']
      : renderTable(
          [{ title: 'Task' }, { title: 'Total', align: right }, { title: 'Running', align: right }, { title: 'Queued', align: right }, { title: 'Scheduled', align: right }],
          rows,
          style,
        )),
  ];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
