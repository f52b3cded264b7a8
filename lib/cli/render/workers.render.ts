/** The text of `docket workers ls` and `docket workers for-task`. */
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
