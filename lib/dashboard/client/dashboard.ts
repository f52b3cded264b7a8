/**
 * The dashboard page: one EventSource (a snapshot, then batches of deltas; the browser resumes
 * with Last-Event-ID after a cut), a model, and a redraw at most once per animation frame.
 */
import type { WireDelta, WireExecution, WireSnapshot, WireTimelineEntry } from '../dashboard-wire';
import { clock, h } from './dom.js';
import { Model } from './model.js';
import { TABS, drawTab, executionView, moveBars, skeleton, type Tab } from './views.js';

const base = document.body.dataset.base ?? '';
const app = document.getElementById('app') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const status = document.getElementById('connection') as HTMLElement;
const model = new Model();
const measuring = new URLSearchParams(location.search).has('measure');

/** What tests and the bench read: the lag of each progress report from its task to the page. */
const probe = { snapshots: 0, batches: 0, draws: 0, lags: [] as number[], longTasks: 0, drawMs: 0, applyMs: 0, tickMs: 0 };
// Main-thread work over 50 ms (the page felt stuck), counted when measuring.
if (measuring && typeof PerformanceObserver !== 'undefined') new PerformanceObserver((list) => (probe.longTasks += list.getEntries().length)).observe({ type: 'longtask', buffered: false });
(window as unknown as { __docket: typeof probe }).__docket = probe;

type Route = { tab: Tab } | { tab: 'execution'; docket: string; key: string };
let route: Route = routeOf(location.hash);
let drawnRoute = '';
let drawnLoads = -1;
let frame = 0;
let detail: { execution: WireExecution; timeline: WireTimelineEntry[] } | undefined;
/** Why the execution on screen could not be read. */
let failure: string | undefined;

function routeOf(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  } catch {
    return { tab: 'overview' }; // a link that is not well encoded
  }
  if (parts[0] === 'execution' && parts.length >= 3) return { tab: 'execution', docket: parts[1], key: parts.slice(2).join('/') };
  return { tab: (TABS as readonly string[]).includes(parts[0]) ? (parts[0] as Tab) : 'overview' };
}

function schedule(): void {
  if (!frame) frame = requestAnimationFrame(draw);
}

function draw(): void {
  frame = 0;
  probe.draws++;
  const started = performance.now();
  const now = Date.now();
  const id = route.tab === 'execution' ? `execution/${route.docket}/${route.key}` : route.tab;
  if (id !== drawnRoute) nav.innerHTML = TABS.map((t) => `<a href="#/${t}" class="${t === route.tab ? 'active' : ''}">${t}</a>`).join('');
  if (route.tab === 'execution') {
    app.innerHTML = detail ? executionView(detail.execution, detail.timeline, model, now) : failure ? `<p class="error" id="execution-failure">${h(failure)}</p>` : '<p class="empty">Loading…</p>';
  } else if (id === drawnRoute && model.loads === drawnLoads && !model.structural && moveBars(route.tab, model)) {
    // Only progress moved: the bars were moved in place.
  } else {
    if (id !== drawnRoute || model.loads !== drawnLoads) app.innerHTML = skeleton(route.tab, model);
    drawTab(route.tab, model, now);
  }
  drawnRoute = id;
  drawnLoads = model.loads;
  model.structural = false;
  model.moved.clear();
  probe.drawMs += performance.now() - started;
  if (measuring) for (const at of model.progressed) probe.lags.push(Date.now() - at);
  model.progressed.length = 0;
}

async function openExecution(docket: string, key: string): Promise<void> {
  const response = await fetch(`${base}/api/dockets/${encodeURIComponent(docket)}/execution?key=${encodeURIComponent(key)}`);
  if (!response.ok) {
    failure = ((await response.json().catch(() => ({}))) as { message?: string }).message ?? `${response.status} ${response.statusText}`;
  } else {
    const execution = (await response.json()) as WireExecution;
    detail = { execution, timeline: execution.timeline.slice() };
    failure = undefined;
  }
  schedule();
}

/** A delta for the execution on screen: its live fields change, and its timeline grows. */
function follow(delta: WireDelta): void {
  if (route.tab !== 'execution' || !detail || delta.docket !== route.docket) return;
  const e = detail.execution;
  if (delta.type === 'progress' && delta.key === e.key) {
    detail = { execution: { ...e, progress: delta.progress }, timeline: [...detail.timeline, { at: delta.progress.updatedAt, type: 'progress', ...delta.progress }] };
  } else if (delta.type === 'row' && delta.row.key === e.key) {
    const r = delta.row;
    detail = { execution: { ...e, state: r.state, worker: r.worker, startedAt: r.startedAt, attempt: r.attempt ?? e.attempt, waitingFor: r.waitingFor, when: r.when }, timeline: [...detail.timeline, { at: Date.now(), type: 'state', state: r.state, worker: r.worker, waitingFor: r.waitingFor }] };
  } else if (delta.type === 'outcome' && delta.outcome.key === e.key) {
    void openExecution(route.docket, route.key); // its result and final record: one read
  }
}

function connect(): void {
  const source = new EventSource(`${base}/api/events`);
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'connection live';
  });
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'connection lost';
  });
  source.addEventListener('snapshot', (event) => {
    model.load(JSON.parse((event as MessageEvent<string>).data) as WireSnapshot);
    probe.snapshots++;
    schedule();
  });
  source.addEventListener('deltas', (event) => {
    const started = performance.now();
    const deltas = JSON.parse((event as MessageEvent<string>).data) as WireDelta[];
    for (const delta of deltas) {
      model.apply(delta);
      follow(delta);
    }
    probe.batches++;
    probe.applyMs += performance.now() - started;
    schedule();
  });
}

async function act(path: string): Promise<void> {
  const response = await fetch(`${base}/api/${path}`, { method: 'POST', headers: { 'x-docket-dashboard': '1' } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    alert(body.message ?? `${response.status} ${response.statusText}`);
  } else if (route.tab === 'execution') {
    void openExecution(route.docket, route.key);
  }
}

document.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button[data-action]') as HTMLButtonElement | null;
  if (!button) return;
  const { action, docket = '', key = '', task = '' } = button.dataset;
  if (action === 'cancel') void act(`dockets/${encodeURIComponent(docket)}/cancel?key=${encodeURIComponent(key)}`);
  if (action === 'restore') void act(`dockets/${encodeURIComponent(docket)}/restore?task=${encodeURIComponent(task)}`);
});
document.addEventListener('submit', (event) => {
  const form = event.target as HTMLFormElement;
  if (form.dataset.action !== 'strike') return;
  event.preventDefault();
  const task = (new FormData(form).get('task') ?? '').toString().trim();
  if (task) void act(`dockets/${encodeURIComponent(form.dataset.docket ?? '')}/strike?task=${encodeURIComponent(task)}`);
});
// Scrolled: other rows of the running table come near the screen.
window.addEventListener('scroll', () => {
  model.structural = true;
  schedule();
}, { passive: true });
window.addEventListener('hashchange', () => {
  route = routeOf(location.hash);
  detail = failure = undefined;
  if (route.tab === 'execution') void openExecution(route.docket, route.key);
  schedule();
});
// The clocks (elapsed, due in, last heartbeat) tick without the server.
setInterval(() => {
  const started = performance.now();
  const now = Date.now();
  for (const cell of Array.from(document.querySelectorAll<HTMLElement>('[data-since]'))) cell.textContent = clock(now - Number(cell.dataset.since));
  probe.tickMs += performance.now() - started;
}, 1_000);

if (route.tab === 'execution') void openExecution(route.docket, route.key);
connect();
schedule();
