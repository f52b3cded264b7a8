/**
 * The output of `docket snapshot`: what runs, what waits, and (with --stats) counts per task, as
 * text or (with --json) as one JSON document.
 */
import type { DocketSnapshot, ExecutionSummary } from '../../core/producer/docket-snapshot';
import { ExecutionState } from '../../core/execution/execution-state.enum';
import { isoOrNull } from '../json-output';
import { renderProgressBar } from './progress-bar';
import { STATE_COLORS, plainStyle, type Style } from './style';
import { renderTable } from './table';
import { formatDateTime, formatRelative } from './time';
import { workerJson, type WorkerJson } from './workers.render';

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
    e.recurrence ? `${e.task} ↻ ${e.recurrence}${e.lastOutcome ? `, last ${e.lastOutcome.state} ${formatRelative(e.lastOutcome.at, now)}` : ''}` : e.task,
    e.key,
    e.worker ?? '',
    e.startedAt ? formatRelative(e.startedAt, now) : '',
    e.progress ? `${renderProgressBar(e.progress.current, e.progress.total, 10)}${e.progress.message ? ` ${e.progress.message}` : ''}` : '',
  ];
}

/** How many executions of one task run, wait in the queue, and are scheduled. */
export type TaskCountJson = { task: string; total: number; running: number; queued: number; scheduled: number };

/** The executions counted per task, most first (then by name). */
function countPerTask(executions: readonly ExecutionSummary[]): TaskCountJson[] {
  const byTask = new Map<string, { running: number; queued: number; scheduled: number }>();
  for (const e of executions) {
    const counts = byTask.get(e.task) ?? { running: 0, queued: 0, scheduled: 0 };
    if (e.state === ExecutionState.RUNNING) counts.running++;
    else if (e.state === ExecutionState.QUEUED) counts.queued++;
    else if (e.state === ExecutionState.SCHEDULED) counts.scheduled++;
    byTask.set(e.task, counts);
  }
  return [...byTask]
    .map(([task, c]) => ({ task, total: c.running + c.queued + c.scheduled, ...c }))
    .sort((a, b) => b.total - a.total || a.task.localeCompare(b.task));
}

function renderStats(executions: readonly ExecutionSummary[], style: Style): string[] {
  const rows = countPerTask(executions).map((r) => [r.task, String(r.total), String(r.running), String(r.queued), String(r.scheduled)]);
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

/** One running, queued or scheduled execution in `docket snapshot --json`. */
export type ExecutionSummaryJson = {
  key: string;
  task: string;
  state: ExecutionState;
  /** When it is (or was) due, ISO 8601. */
  when: string;
  worker: string | null;
  startedAt: string | null;
  progress: { current: number; total: number; message: string | null } | null;
  /** What a SCHEDULED execution waits for besides its time: a concurrency limit's name, `rate limit …`, `a worker with task "…"`. */
  waitingFor: string | null;
  /** A perpetual or cron task's run: how it repeats (`every 60000 ms`, `cron "0 9 * * *" (UTC)`). */
  recurrence: string | null;
  /** … and how the run before it ended, and when (ISO 8601). */
  lastOutcome: { state: ExecutionState; at: string } | null;
};

/** `docket snapshot --json`. */
export type SnapshotJson = {
  docket: string;
  takenAt: string;
  workers: WorkerJson[];
  running: ExecutionSummaryJson[];
  queued: ExecutionSummaryJson[];
  scheduled: ExecutionSummaryJson[];
  /** Entries in the stream (queued and running), also beyond those listed. */
  streamLength: number;
  /** Members of the queue (scheduled), also beyond those listed. */
  queueLength: number;
  quarantined: number;
  /** Executions per task, most first. */
  stats: TaskCountJson[];
};

/**
 * The snapshot as one JSON document, with the counts per task that `--stats` shows.
 *
 * @example
 * writeJson(io.stdout, snapshotJson(await docket.snapshot(), docket.name));
 */
export function snapshotJson(snapshot: DocketSnapshot, docket: string): SnapshotJson {
  const { running, queued, scheduled } = snapshot;
  return {
    docket,
    takenAt: snapshot.takenAt.toISOString(),
    workers: snapshot.workers.map(workerJson),
    running: running.map(executionJson),
    queued: queued.map(executionJson),
    scheduled: scheduled.map(executionJson),
    streamLength: snapshot.streamLength,
    queueLength: snapshot.queueLength,
    quarantined: snapshot.quarantined,
    stats: countPerTask([...running, ...queued, ...scheduled]),
  };
}

function executionJson(e: ExecutionSummary): ExecutionSummaryJson {
  return {
    key: e.key,
    task: e.task,
    state: e.state,
    when: e.when.toISOString(),
    worker: e.worker ?? null,
    startedAt: isoOrNull(e.startedAt),
    progress: e.progress ? { current: e.progress.current, total: e.progress.total, message: e.progress.message } : null,
    waitingFor: e.waitingFor ?? null,
    recurrence: e.recurrence ?? null,
    lastOutcome: e.lastOutcome ? { state: e.lastOutcome.state, at: e.lastOutcome.at.toISOString() } : null,
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
