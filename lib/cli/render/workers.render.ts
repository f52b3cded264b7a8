/** The output of `docket workers ls` and `docket workers for-task`, as text or JSON. */
import type { WorkerInfo } from '../../core/store';
import { plainStyle, type Style } from './style';
import { renderTable } from './table';
import { formatAge } from './time';

/**
 * A table of live workers, newest heartbeat first: name, last seen, concurrency and tasks.
 * With `task`, that task is highlighted in each worker's list.
 *
 * @example
 * renderWorkers(await docket.workers(), 'emails', new Date());
 */
export function renderWorkers(workers: readonly WorkerInfo[], docket: string, now: Date, options: { task?: string; style?: Style } = {}): string[] {
  const style = options.style ?? plainStyle;
  const scope = options.task ? ` running task "${options.task}"` : '';
  if (workers.length === 0) return [`No live workers${scope} in docket "${docket}".`];
  const rows = [...workers]
    .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime())
    .map((w) => [
      w.name,
      `${formatAge(now.getTime() - w.lastSeen.getTime())} ago`,
      w.concurrency === undefined ? '' : String(w.concurrency),
      w.tasks.length === 0 ? '(none)' : [...w.tasks].sort().map((t) => (t === options.task ? style(t, 'bold') : t)).join(', '),
    ]);
  return [
    `${style(`Workers in docket "${docket}"`, 'bold')}${scope}: ${workers.length}`,
    '',
    ...renderTable([{ title: 'Name' }, { title: 'Last seen' }, { title: 'Concurrency', align: 'right' }, { title: 'Tasks' }], rows, style),
  ];
}

/** A live worker in JSON: its name, last heartbeat (ISO 8601), concurrency and tasks. */
export type WorkerJson = { name: string; lastSeen: string; concurrency: number | null; tasks: string[] };

/**
 * A worker as JSON, its tasks sorted.
 *
 * @example
 * (await docket.workers()).map(workerJson);
 */
export function workerJson(worker: WorkerInfo): WorkerJson {
  return { name: worker.name, lastSeen: worker.lastSeen.toISOString(), concurrency: worker.concurrency ?? null, tasks: [...worker.tasks].sort() };
}

/**
 * The live workers as JSON, newest heartbeat first (as the table lists them).
 *
 * @example
 * writeJson(io.stdout, { docket: docket.name, workers: workersJson(await docket.workers()) });
 */
export function workersJson(workers: readonly WorkerInfo[]): WorkerJson[] {
  return [...workers].sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime()).map(workerJson);
}
