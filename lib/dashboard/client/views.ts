/** The page's views, drawn from the model. Every value goes through `h()` (escaped). */
import type { WireExecution, WireOutcome, WireRow, WireTimelineEntry } from '../dashboard-wire';
import { bar, clock, dateTime, h, patchBar, relative, stateWord, syncRows } from './dom.js';
import type { DocketModel, Model } from './model.js';

/** The tabs of the page, in the order of its navigation. */
export const TABS = ['overview', 'running', 'waiting', 'outcomes', 'workers', 'strikes'] as const;
export type Tab = (typeof TABS)[number];

const link = (docket: string, key: string): string =>
  `<a href="#/execution/${encodeURIComponent(docket)}/${encodeURIComponent(key)}">${h(key)}</a>`;
const cancelButton = (model: Model, docket: string, key: string): string =>
  model.readOnly ? '' : `<button data-action="cancel" data-docket="${h(docket)}" data-key="${h(key)}">Cancel</button>`;

/** The frame of a tab: one section per docket, with empty table bodies that {@link drawTab} fills. */
export function skeleton(tab: Tab, model: Model): string {
  const parts = [...model.dockets.values()].map((d, i) => {
    const title = model.dockets.size > 1 ? `<h2>${h(d.name)}</h2>` : '';
    // A table laid out by its header's widths: a row that changes does not lay out the others again.
    const table = (id: string, heads: string[], caption: string, widths?: number[]): string =>
      `<section><h2>${caption} <span class="count" id="${id}-count"></span></h2><table${widths ? ' class="fixed"' : ''}><thead><tr>${heads.map((x, j) => `<th${widths ? ` style="width:${widths[j]}%"` : ''}>${x}</th>`).join('')}</tr></thead><tbody id="${id}-${i}"></tbody></table></section>`;
    switch (tab) {
      case 'overview':
        return `${title}<div id="overview-${i}"></div>`;
      case 'running':
        return title + table('running', ['Call', 'Key', 'Worker', 'Elapsed', 'Progress', ''], 'Running', [33, 17, 12, 7, 24, 7]);
      case 'waiting':
        return title + table('queued', ['Call', 'Key', 'Queued', 'Attempt', ''], 'Queued') + table('scheduled', ['Call', 'Key', 'Due', 'Waiting for', 'Repeats', ''], 'Scheduled');
      case 'outcomes':
        return title + table('outcomes', ['State', 'Call', 'Key', 'Took', 'Finished', 'Error'], 'Recent outcomes');
      case 'workers':
        return title + table('workers', ['Worker', 'Tasks', 'Running', 'Last heartbeat'], 'Workers');
      case 'strikes':
        return title + table('strikes', ['Strike', ''], 'Strikes in effect') + (model.readOnly ? '' : strikeForm(d, i));
    }
  });
  return parts.join('') || '<p class="empty">This app shows no docket.</p>';
}

function strikeForm(d: DocketModel, i: number): string {
  const tasks = [...new Set(d.meta.workers.flatMap((w) => w.tasks))].sort();
  const options = tasks.map((t) => `<option>${h(t)}</option>`).join('');
  return `<form data-action="strike" data-docket="${h(d.name)}"><input name="task" list="tasks-${i}" placeholder="task name" required><datalist id="tasks-${i}">${options}</datalist> <button>Strike</button></form>`;
}

/**
 * Moves the bars of the running rows whose progress alone changed, without a walk of the lists;
 * false when something else changed too (then {@link drawTab} draws the tab).
 */
export function moveBars(tab: Tab, model: Model): boolean {
  if (tab !== 'running') return true; // no other tab shows progress
  let ok = true;
  [...model.dockets.values()].forEach((d, i) => {
    const body = document.getElementById(`running-${i}`);
    for (const key of model.moved.get(d.name) ?? []) {
      const row = d.rows.get(key);
      if (!body || !row?.progress || !patchBar(body, key, row, row.progress)) ok = false;
    }
  });
  return ok;
}

/** Fills the tab's sections from the model. */
export function drawTab(tab: Tab, model: Model, now: number): void {
  [...model.dockets.values()].forEach((d, i) => {
    const body = (id: string): HTMLElement | null => document.getElementById(`${id}-${i}`);
    const count = (id: string, n: number): void => {
      const el = document.getElementById(`${id}-count`);
      if (el) el.textContent = `(${n})`;
    };
    const { running, queued, scheduled } = model.lists(d);
    if (tab === 'overview') {
      const el = document.getElementById(`overview-${i}`);
      if (el) el.innerHTML = overview(d, running.length, queued.length, scheduled.length);
    } else if (tab === 'running') {
      count('running', running.length);
      const tbody = body('running');
      if (tbody) syncRows(tbody, visible(tbody, running), (r) => r.key, (r) => runningRow(model, d.name, r, now));
    } else if (tab === 'waiting') {
      count('queued', queued.length);
      count('scheduled', scheduled.length);
      fill(body('queued'), queued, (r) => `<td class="call">${h(r.call)}</td><td class="key">${link(d.name, r.key)}</td><td>${h(dateTime(r.when))}</td><td>${h(r.attempt ?? 1)}</td><td>${cancelButton(model, d.name, r.key)}</td>`);
      fill(body('scheduled'), scheduled, (r) =>
        `<td class="call">${h(r.call)}</td><td class="key">${link(d.name, r.key)}</td><td title="${h(dateTime(r.when))}">${h(relative(r.when, now))}</td><td>${h(waitText(r))}</td><td>${h(r.recurrence ?? '')}</td><td>${cancelButton(model, d.name, r.key)}</td>`);
    } else if (tab === 'outcomes') {
      count('outcomes', d.outcomes.length);
      syncRows(body('outcomes') ?? document.createElement('tbody'), d.outcomes, (o) => `${o.key}@${o.completedAt}`, (o) => outcomeRow(d.name, o));
    } else if (tab === 'workers') {
      count('workers', d.meta.workers.length);
      syncRows(body('workers') ?? document.createElement('tbody'), d.meta.workers, (w) => w.name, (w) =>
        `<td>${h(w.name)}</td><td>${h(w.tasks.join(', '))}</td><td>${h(w.running)}</td><td>${h(relative(w.lastSeen, now))}</td>`);
    } else if (tab === 'strikes') {
      count('strikes', d.meta.strikes.length);
      syncRows(body('strikes') ?? document.createElement('tbody'), d.meta.strikes, (s) => s.text, (s) =>
        `<td class="strike">${h(s.text)}</td><td>${model.readOnly || !s.task ? '' : `<button data-action="restore" data-docket="${h(d.name)}" data-task="${h(s.task)}">Restore</button>`}</td>`);
    }
  });
}

/** The running table's rows have one height, so only those near the screen are in the page. */
const ROW_PX = 30;
const MARGIN_ROWS = 30;

/**
 * The rows near the screen, the others stood in for by the table's margins (a thousand rows
 * whose bars move every frame would cost the browser a layout of all of them).
 */
function visible<T>(body: HTMLElement, rows: readonly T[]): readonly T[] {
  const table = body.parentElement as HTMLElement;
  const offset = table.getBoundingClientRect().top + window.scrollY - parseFloat(table.style.marginTop || '0');
  const first = Math.max(0, Math.min(rows.length, Math.floor((window.scrollY - offset) / ROW_PX) - MARGIN_ROWS));
  const count = Math.ceil(window.innerHeight / ROW_PX) + 2 * MARGIN_ROWS;
  const shown = rows.slice(first, first + count);
  table.style.marginTop = `${first * ROW_PX}px`;
  table.style.marginBottom = `${Math.max(0, rows.length - first - shown.length) * ROW_PX}px`;
  return shown;
}

function fill(body: HTMLElement | null, rows: readonly WireRow[], draw: (r: WireRow) => string): void {
  if (body) syncRows(body, rows, (r) => r.key, draw);
}

function runningRow(model: Model, docket: string, r: WireRow, now: number): string {
  const progress = r.progress ? bar(r.progress.current, r.progress.total, r.progress.message) : '<span class="muted">no progress yet</span>';
  return `<td class="call" title="${h(r.call)}">${h(r.call)}</td><td class="key">${link(docket, r.key)}</td><td>${h(r.worker ?? '')}</td><td data-since="${h(r.startedAt ?? now)}">${h(clock(now - (r.startedAt ?? now)))}</td><td>${progress}</td><td>${cancelButton(model, docket, r.key)}</td>`;
}

function outcomeRow(docket: string, o: WireOutcome): string {
  const took = o.startedAt !== undefined ? clock(o.completedAt - o.startedAt) : '';
  return `<td>${stateWord(o.state)}</td><td class="call">${h(o.call)}</td><td class="key">${link(docket, o.key)}</td><td>${h(took)}</td><td>${h(dateTime(o.completedAt))}</td><td class="error">${h(o.error ?? '')}</td>`;
}

/** Why a scheduled run waits, in words (the server words a limit's wait). */
function waitText(r: WireRow): string {
  return r.waitingFor ?? (r.error ? `a retry (attempt ${r.attempt ?? '?'})` : 'its time');
}

function overview(d: DocketModel, running: number, queued: number, scheduled: number): string {
  const t = d.meta.throughput;
  const completed = t.reduce((n, b) => n + b.completed, 0);
  const failed = t.reduce((n, b) => n + b.failed, 0);
  const card = (n: number | string, label: string, id: string): string => `<div class="card" id="card-${id}"><div class="n">${h(n)}</div><div class="l">${label}</div></div>`;
  const peak = Math.max(1, ...t.map((b) => b.completed + b.failed));
  const spark = t.map((b) => `<i title="${h(dateTime(b.at))}: ${b.completed} completed, ${b.failed} failed" style="height:${((b.completed / peak) * 100).toFixed(0)}%"></i>${b.failed ? `<i class="failed" style="height:${((b.failed / peak) * 100).toFixed(0)}%"></i>` : ''}`).join('');
  const limited = d.meta.overLimit ? `<p class="notice" id="over-limit">More executions are pending or running than this page is shown: it lists the first ${h(d.meta.rowLimit)}, and the counts are of those.</p>` : '';
  return `${limited}<section><div class="cards">${card(running, 'running', 'running')}${card(queued, 'queued', 'queued')}${card(scheduled, 'scheduled', 'scheduled')}${card(completed, 'completed · 5 min', 'completed')}${card(failed, 'failed · 5 min', 'failed')}${card(d.meta.workers.length, 'workers alive', 'workers')}${card(d.meta.quarantined ?? '?', 'quarantined', 'quarantined')}${card(d.meta.strikes.length, 'strikes', 'strikes')}</div></section>
<section><h2>Finished per 10 s, last 5 minutes</h2><div class="spark">${spark}</div></section>`;
}

/** One execution: what it is, how it went, and the events heard. */
export function executionView(e: WireExecution, timeline: readonly WireTimelineEntry[], model: Model, now: number): string {
  const rows: [string, string][] = [
    ['Task', h(e.task)],
    ['Call', `<code>${h(e.call)}</code>`],
    ['Key', `<code>${h(e.key)}</code>`],
    ['Docket', h(e.docket)],
    ['State', stateWord(e.state)],
    ['Due', h(dateTime(e.when))],
  ];
  if (e.worker) rows.push(['Worker', h(e.worker)]);
  if (e.startedAt) rows.push(['Started', h(dateTime(e.startedAt))]);
  if (e.completedAt) rows.push(['Finished', `${h(dateTime(e.completedAt))}${e.startedAt ? ` (took ${h(clock(e.completedAt - e.startedAt))})` : ''}`]);
  else if (e.startedAt) rows.push(['Elapsed', `<span data-since="${h(e.startedAt)}">${h(clock(now - e.startedAt))}</span>`]);
  rows.push(['Attempt', h(e.attempt)]);
  if (e.waitingFor) rows.push(['Waiting for', h(e.waitingFor)]);
  if (e.recurrence) rows.push(['Repeats', h(e.recurrence)]);
  if (e.progress) rows.push(['Progress', bar(e.progress.current, e.progress.total, e.progress.message)]);
  if (e.error) rows.push(['Error', `<span class="error" id="execution-error">${h(e.error)}</span>`]);
  const active = e.state === 'queued' || e.state === 'scheduled' || e.state === 'running';
  const actions = active ? cancelButton(model, e.docket, e.key) : '';
  const events = timeline.map((t) => `<tr><td>${h(dateTime(t.at))}</td><td>${t.type === 'state' ? stateWord(t.state ?? '') : 'progress'}</td><td>${h(entryText(t))}</td></tr>`).join('');
  return `<section id="execution" data-state="${h(e.state)}"><h2><a href="#/running">←</a> Execution ${h(e.key)} ${actions}</h2><dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></section>
${e.result !== undefined ? `<section><h2>Result</h2><pre id="execution-result">${h(e.result)}</pre></section>` : ''}
<section><h2>Timeline <span class="count">(as heard by this server)</span></h2>${events ? `<table><tbody id="timeline">${events}</tbody></table>` : '<p class="empty">No event heard yet.</p>'}</section>`;
}

function entryText(t: WireTimelineEntry): string {
  if (t.type === 'progress') return `${t.current}/${t.total}${t.message ? ` ${t.message}` : ''}`;
  return [t.worker && `on ${t.worker}`, t.waitingFor && `waiting for ${t.waitingFor}`, t.error].filter(Boolean).join(' · ');
}
