/**
 * Issue "Scale": costs that stay flat as the work grows. So far:
 *
 * - the backlog: a large number of tasks scheduled over the next hour (BullMQ and bee-queue:
 *   delayed jobs), with Redis bytes per scheduled task, the rate of those adds, and the drain
 *   and add → result p50 of immediate work with the backlog there as a fraction of an empty
 *   queue's (measured in the same cell);
 * - the burst: many tasks due in the same second, how fast they are made due and run, and how
 *   long an immediate add takes meanwhile (docket and BullMQ);
 * - the fleet: one docket drained by 1, 2 and 4 worker processes on the same Redis, with the
 *   Redis CPU per task, so that a reader sees where Redis and not the worker becomes the bound. On
 *   a 2-core machine the worker processes and Redis share the cores: past 2 processes the figure
 *   says how the system degrades under contention, not how it scales on more cores.
 */
import type { Producer, SystemAdapter, Target } from '../adapter';
import type { WatchReport, WorkerReport } from '../agent-protocol';
import { AT_MOST_BULLMQ, perSecond, type Cell, type Env, type Scenario, type Sizes } from '../scenario';
import { nowMs, sleep, summarize } from '../stats';
import { payload } from '../tasks';
import { drain, preload } from '../workload';
import { latencies } from './latency.scenario';

/** Worker concurrency of each process in the fleet cells. */
const FLEET_CONCURRENCY = 50;

/** Drains `count` preloaded tasks with `processes` worker processes (the bench's agent and more). */
async function fleetDrain(env: Env, system: SystemAdapter, processes: number, count: number): Promise<{ ms: number; redisCpuUs: number; workerCpuUs: number }> {
  const agents = [env.agent, ...env.moreAgents(processes - 1)];
  const { admin, target } = env;
  const spec = { concurrency: FLEET_CONCURRENCY, fireAndForget: false, events: false };
  try {
    await Promise.all(agents.map((a) => a.startWorker(system.id, target, spec, false)));
    const producer = await system.producer(target, { fireAndForget: false, observe: false });
    try {
      await preload(producer, count);
    } finally {
      await producer.close();
    }
    const queued = await system.remaining(admin.redis, target);
    if (queued !== count) throw new Error(`${system.id}: expected ${count} queued, found ${queued}`);
    const redisCpu0 = await admin.serverCpuSeconds();
    await Promise.all(agents.map((a) => a.run()));
    await admin.waitFor(async () => (await system.remaining(admin.redis, target)) === 0);
    const end = nowMs();
    const redisCpu1 = await admin.serverCpuSeconds();
    const reports: WorkerReport[] = await Promise.all(agents.map((a) => a.stopWorker()));
    const starts = reports.map((r) => r.firstTaskAt).filter((t): t is number => t !== null);
    const ran = reports.reduce((n, r) => n + r.tasks, 0);
    if (starts.length === 0) throw new Error(`${system.id}: no task ran`);
    if (ran < count) throw new Error(`${system.id}: only ${ran} of ${count} tasks ran`);
    return {
      ms: end - Math.min(...starts),
      redisCpuUs: ((redisCpu1 - redisCpu0) * 1e6) / count,
      workerCpuUs: reports.reduce((us, r) => us + r.cpuUs, 0) / count,
    };
  } catch (err) {
    await Promise.all(agents.map((a) => a.stopWorker().catch(() => undefined)));
    throw err;
  }
}

function fleetCell(sizes: Sizes, processes: number): Cell {
  const id = `fleet-p${processes}`;
  const count = sizes.fleet;
  return {
    id,
    title: `Fleet: ${count.toLocaleString('en-US')} tasks, ${processes} worker process${processes === 1 ? '' : 'es'} × concurrency ${FLEET_CONCURRENCY}`,
    metrics: [
      { id, label: `Drain ${count.toLocaleString('en-US')} with ${processes} worker process${processes === 1 ? '' : 'es'} × ${FLEET_CONCURRENCY} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      { id: `${id}-redis-cpu`, label: `… redis-server CPU per task, ${processes} process${processes === 1 ? '' : 'es'} (µs)`, unit: 'µs', better: 'lower', digits: 1 },
      { id: `${id}-worker-cpu`, label: `… worker CPU per task, all processes, ${processes} process${processes === 1 ? '' : 'es'} (µs)`, unit: 'µs', better: 'lower', digits: 1 },
    ],
    async measure(env, system) {
      const result = await fleetDrain(env, system, processes, count);
      return {
        values: { [id]: perSecond(count, result.ms), [`${id}-redis-cpu`]: result.redisCpuUs, [`${id}-worker-cpu`]: result.workerCpuUs },
        details: { count, processes, concurrency: FLEET_CONCURRENCY, ...result },
      };
    },
  };
}

/** Adds `count` no-op tasks with the batch API, 1,000 per call, the `i`th due at `dueAt(i)`. */
async function preloadScheduled(producer: Producer, count: number, dueAt: (i: number) => number): Promise<void> {
  for (let i = 0; i < count; i += 1000) {
    const payloads = Array.from({ length: Math.min(1000, count - i) }, (_, j) => payload(i + j));
    await producer.addScheduled(payloads, payloads.map((_, j) => dueAt(i + j)));
  }
}

/** Schedules `count` tasks spread evenly over the hour starting a minute from now, 1,000 per batch call. */
async function scheduleBacklog(env: Env, system: SystemAdapter, count: number): Promise<{ perSecond: number; bytesPerTask: number }> {
  const { admin, target } = env;
  const before = await admin.usedMemory();
  const producer = await system.producer(target, { fireAndForget: false, observe: false });
  const from = Date.now() + 60_000;
  const start = nowMs();
  try {
    await preloadScheduled(producer, count, (i) => from + Math.floor((i / count) * 3_600_000));
  } finally {
    await producer.close();
  }
  const ms = nowMs() - start;
  return { perSecond: perSecond(count, ms), bytesPerTask: ((await admin.usedMemory()) - before) / count };
}

/** Immediate work's drain (concurrency 10) and add → result p50, on whatever the docket holds now. */
async function currentWork(env: Env, system: SystemAdapter): Promise<{ drain: number; p50: number }> {
  const drained = await drain(env, system, { count: env.sizes.drain, concurrency: 10, fireAndForget: false });
  const latency = await latencies(env, system, 'documented');
  return { drain: perSecond(env.sizes.drain, drained.ms), p50: latency.p50 };
}

function backlogCell(sizes: Sizes): Cell {
  const count = sizes.backlog;
  const shown = count.toLocaleString('en-US');
  return {
    id: 'backlog',
    title: `Backlog: ${shown} tasks scheduled over the next hour`,
    metrics: [
      {
        id: 'backlog-bytes',
        label: `Redis memory per scheduled task, ${shown} scheduled (bytes)`,
        unit: 'bytes',
        better: 'lower',
        digits: 0,
        target: AT_MOST_BULLMQ,
      },
      { id: 'backlog-enqueue', label: `… adding them, 1,000 per batch call (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      {
        id: 'backlog-drain-ratio',
        label: `Drain of immediate work with the backlog there ÷ on an empty queue (concurrency 10)`,
        unit: '×',
        better: 'higher',
        digits: 2,
        budget: { text: '≥ 0.9', check: (ours) => ours >= 0.9 },
      },
      {
        id: 'backlog-p50-ratio',
        label: `Add → result p50 on an empty queue ÷ with the backlog there`,
        unit: '×',
        better: 'higher',
        digits: 2,
        budget: { text: '≥ 0.9', check: (ours) => ours >= 0.9 },
      },
    ],
    async measure(env, system) {
      // The empty queue is measured first: a drain before it, not counted, so that it does not
      // pay for what the first run of a cell warms up (the loaded one would have it for free).
      await drain(env, system, { count: Math.ceil(env.sizes.drain / 4), concurrency: 10, fireAndForget: false });
      await env.admin.flushAll();
      const empty = await currentWork(env, system);
      await env.admin.flushAll();
      const backlog = await scheduleBacklog(env, system, count);
      const loaded = await currentWork(env, system);
      return {
        values: {
          'backlog-bytes': backlog.bytesPerTask,
          'backlog-enqueue': backlog.perSecond,
          'backlog-drain-ratio': loaded.drain / empty.drain,
          'backlog-p50-ratio': empty.p50 / loaded.p50,
        },
        details: { count, empty, loaded, backlog },
      };
    },
  };
}

/**
 * The burst: `count` tasks scheduled for the same moment, a worker running; from that moment,
 * how fast they are made due and run, and whether Redis stalls meanwhile: a probe adds one
 * immediate task every 20 ms, from just before the moment until every one of the burst has run,
 * and times each add's round trip. (Its add → result is not the measure: a task added during the
 * burst waits behind everything made due before it, in every system's FIFO, and BullMQ's result
 * events of a 100,000-job burst outrun its trimmed event stream, so a waiting probe can miss its
 * own.)
 */
async function burst(env: Env, system: SystemAdapter, count: number): Promise<{ moveMs: number; drainMs: number; probe: { n: number; p50: number; max: number } }> {
  const { agent, admin, target } = env;
  await agent.startWorker(system.id, target, { concurrency: FLEET_CONCURRENCY, fireAndForget: false, events: false, delayed: true }, true);
  try {
    // Due once every add is surely in: a lead of 0.5 s plus 1 ms per 10 tasks (the slowest
    // system adds about 19 per ms); a lead too short fails the measurement, saying so.
    const dueAt = Date.now() + 500 + Math.ceil(count / 10);
    const producer = await system.producer(target, { fireAndForget: false, observe: false });
    const samples: number[] = [];
    let moveMs = Number.NaN;
    let drainMs = Number.NaN;
    try {
      await preloadScheduled(producer, count, () => dueAt);
      if (Date.now() >= dueAt - 200) throw new Error(`${system.id}: adding the burst took past its due time; give it a longer lead`);
      while (Date.now() < dueAt - 200) await new Promise((resolve) => setTimeout(resolve, 20));
      const due = nowMs() + (dueAt - Date.now());
      let n = 0;
      for (;;) {
        const start = nowMs();
        await producer.add(payload(count + n++));
        samples.push(nowMs() - start);
        const now = nowMs();
        if (Number.isNaN(moveMs) && now > due && (await system.scheduled(admin.redis, target)) === 0) moveMs = now - due;
        if (!Number.isNaN(moveMs) && (await system.remaining(admin.redis, target)) === 0) {
          drainMs = nowMs() - due;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await producer.close();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { moveMs, drainMs, probe: { n: samples.length, p50: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] } };
  } finally {
    await agent.stopWorker();
  }
}

function burstCell(sizes: Sizes): Cell {
  const count = sizes.burst;
  const shown = count.toLocaleString('en-US');
  return {
    id: 'burst',
    title: `Burst: ${shown} tasks due in the same second`,
    metrics: [
      {
        id: 'burst-move',
        label: `${shown} due at once: made due (tasks/s, measured every 20 ms)`,
        unit: 'tasks/s',
        better: 'higher',
        digits: 0,
        target: { text: '≥ BullMQ', bounds: [{ peer: 'bullmq', op: '>=', factor: 1 }] },
      },
      { id: 'burst-drain', label: `… and run, 1 worker × ${FLEET_CONCURRENCY} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      {
        id: 'burst-probe-max',
        label: '… worst round trip of an immediate add meanwhile (ms)',
        unit: 'ms',
        better: 'lower',
        digits: 1,
        budget: { text: '≤ 50 ms', check: (ours) => ours <= 50 },
      },
      { id: 'burst-probe-p50', label: '… its p50 (ms)', unit: 'ms', better: 'lower', digits: 2 },
    ],
    async measure(env, system) {
      if (system.id === 'bee-queue') {
        // Its worker (activateDelayedJobs) raised none of a saveAll of delayed jobs within 60 s
        // here: it waits for a producer's "earlier delayed" message or its own timer. Not measured.
        const none = Number.NaN;
        return { values: { 'burst-move': none, 'burst-drain': none, 'burst-probe-max': none, 'burst-probe-p50': none }, details: { skipped: 'delayed jobs of saveAll were not raised' } };
      }
      const result = await burst(env, system, count);
      return {
        values: {
          'burst-move': perSecond(count, result.moveMs),
          'burst-drain': perSecond(count, result.drainMs),
          'burst-probe-max': result.probe.max,
          'burst-probe-p50': result.probe.p50,
        },
        details: { count, ...result },
      };
    },
  };
}

/** What the many-watchers cell measures of one system. */
interface WatchersResult {
  p50: number;
  p99: number;
  /** Progress updates the worker made that the watcher never heard. */
  missing: number;
  rssPerWatcher: number;
  heapPerWatcher: number;
  /** Redis connections and subscriptions (channels + patterns) the watching process opened. */
  connections: number;
  subscribers: number;
  subscriptions: number;
  /** Redis memory and CPU the watches took when they were made (subscriptions, snapshot reads). */
  redisMemoryPerWatcher: number;
  redisCpuUsPerWatch: number;
  watcherCpuUsPerEvent: number;
  redisCpuUsPerEvent: number;
  /** CPU of the watching process and of Redis from the worker's start to the last task (µs). */
  watcherCpuUs: number;
  redisCpuUs: number;
  events: number;
  ms: number;
}

/**
 * Many watchers: `count` running executions, each reporting progress `updates` times
 * `periodMs` apart (the first after a wait spread over one period, so the events come at an even
 * count × 1000 / periodMs per second), and a process of its own (a second agent) holding one
 * live watch per execution, made before the worker starts. An event's latency runs from the
 * worker's stamp just before its update to the watcher's arrival stamp.
 */
async function watchersRun(env: Env, system: SystemAdapter, count: number, periodMs: number, updates: number, pattern = false, watched = count): Promise<WatchersResult> {
  const { agent, admin, target } = env;
  const watcher = env.sizes.watchersFull ? env.freshAgent() : env.moreAgents(1)[0];
  await agent.startWorker(system.id, target, { concurrency: count, fireAndForget: false, events: true }, false);
  let watching = false;
  try {
    const producer = await system.producer(target, { fireAndForget: false, observe: false });
    const ids: string[] = [];
    try {
      for (let i = 0; i < count; i++) ids.push(await producer.add({ i, t: Date.now(), u: updates, ms: periodMs, w: Math.floor((i * periodMs) / count) }));
    } finally {
      await producer.close();
    }
    // Fewer watched than running: `watched` of them, evenly spread.
    const watchedIds = Array.from({ length: watched }, (_, k) => ids[Math.floor((k * count) / watched)]);
    const clientsBefore = await admin.clientList();
    const [memory0, cpuWatch0] = [await admin.usedMemory(), await admin.serverCpuSeconds()];
    watching = true;
    const live = await watcher.watch(system.id, target, watchedIds, pattern);
    const [memory1, cpuWatch1] = [await admin.usedMemory(), await admin.serverCpuSeconds()];
    const known = new Set(clientsBefore.map((c) => c.id));
    const opened = (await admin.clientList()).filter((c) => !known.has(c.id));
    const cpu0 = await admin.serverCpuSeconds();
    const start = nowMs();
    await agent.run();
    await admin.waitFor(async () => (await system.remaining(admin.redis, target)) === 0, 20);
    const ms = nowMs() - start;
    const cpu1 = await admin.serverCpuSeconds();
    const heard = await watcher.unwatch();
    watching = false;
    const report = await agent.stopWorker();
    const { samples, missing } = eventLatencies(watchedIds, report, heard);
    if (samples.length === 0) throw new Error(`${system.id}: the watcher heard no progress event`);
    const stats = summarize(samples);
    const published = count * updates;
    return {
      p50: stats.p50,
      p99: stats.p99,
      missing,
      // The second half's cost: the slope, free of what the process's start left behind.
      rssPerWatcher: (live.after.rss - live.half.rss) / (watchedIds.length - Math.floor(watchedIds.length / 2)),
      heapPerWatcher: (live.after.heap - live.half.heap) / (watchedIds.length - Math.floor(watchedIds.length / 2)),
      connections: opened.length,
      subscribers: opened.filter((c) => c.sub + c.psub > 0).length,
      subscriptions: opened.reduce((n, c) => n + c.sub + c.psub, 0),
      redisMemoryPerWatcher: (memory1 - memory0) / watchedIds.length,
      redisCpuUsPerWatch: ((cpuWatch1 - cpuWatch0) * 1e6) / watchedIds.length,
      watcherCpuUsPerEvent: heard.cpuUs / Math.max(1, heard.events),
      watcherCpuUs: heard.cpuUs,
      redisCpuUs: (cpu1 - cpu0) * 1e6,
      redisCpuUsPerEvent: ((cpu1 - cpu0) * 1e6) / published,
      events: heard.events,
      ms,
    };
  } catch (err) {
    if (watching) await watcher.unwatch().catch(() => undefined);
    await agent.stopWorker().catch(() => undefined);
    throw err;
  }
}

/** Each update's latency: its stamp to the first arrival of a value at least its own (a later update can carry it). */
function eventLatencies(ids: readonly string[], report: WorkerReport, heard: WatchReport): { samples: number[]; missing: number } {
  const samples: number[] = [];
  let missing = 0;
  for (const id of ids) {
    const stamps = report.stamps[id] ?? [];
    const arrivals = heard.arrivals[id] ?? [];
    stamps.forEach((stamp, index) => {
      let at = Number.NaN;
      for (let k = 0; k < arrivals.length; k += 2) {
        if (arrivals[k] >= index + 1) {
          at = arrivals[k + 1];
          break;
        }
      }
      if (Number.isNaN(at)) missing++;
      else samples.push(at - stamp);
    });
  }
  return { samples, missing };
}

function watchersCell(sizes: Sizes): Cell {
  const count = sizes.watchers;
  const shown = count.toLocaleString('en-US');
  const rate = Math.round((count * 1000) / sizes.watchersPeriodMs).toLocaleString('en-US');
  return {
    id: 'watchers',
    title: `Many watchers: ${shown} live executions watched by one process, ${rate} progress events/s`,
    metrics: [
      { id: 'watchers-p50', label: `${shown} watched, ${rate} events/s: event latency p50 (ms)`, unit: 'ms', better: 'lower', digits: 2 },
      { id: 'watchers-p99', label: '… p99 (ms)', unit: 'ms', better: 'lower', digits: 2, target: AT_MOST_BULLMQ },
      { id: 'watchers-rss', label: '… watching process RSS per watcher (bytes; slope over the second half)', unit: 'bytes', better: 'lower', digits: 0, target: AT_MOST_BULLMQ },
      { id: 'watchers-heap', label: '… its V8 heap per watcher, after a full GC (bytes; slope)', unit: 'bytes', better: 'lower', digits: 0 },
      { id: 'watchers-connections', label: '… Redis connections it opened', unit: 'connections', better: 'lower', digits: 0 },
      {
        id: 'watchers-subscribers',
        label: '… of them subscribed (pub/sub)',
        unit: 'connections',
        better: 'lower',
        digits: 0,
        budget: { text: '1 for the process', check: (ours) => ours === 1 },
      },
      { id: 'watchers-subscriptions', label: '… channels and patterns it subscribed', unit: 'subscriptions', better: 'lower', digits: 0 },
      { id: 'watchers-redis-memory', label: '… Redis memory per watcher (bytes)', unit: 'bytes', better: 'lower', digits: 0 },
      { id: 'watchers-redis-watch', label: '… redis-server CPU per watch made (µs)', unit: 'µs', better: 'lower', digits: 1 },
      { id: 'watchers-cpu', label: '… watching process CPU per event heard (µs)', unit: 'µs', better: 'lower', digits: 1 },
      { id: 'watchers-redis-cpu', label: '… redis-server CPU per progress event, the whole run (µs)', unit: 'µs', better: 'lower', digits: 1 },
      { id: 'watchers-pattern-p99', label: '… docket with one pattern subscription instead (events$() by key): p99 (ms)', unit: 'ms', better: 'lower', digits: 2 },
      { id: 'watchers-pattern-heap', label: '… its V8 heap per watcher (bytes)', unit: 'bytes', better: 'lower', digits: 0 },
      { id: 'watchers-pattern-cpu', label: '… its CPU per event heard (µs)', unit: 'µs', better: 'lower', digits: 1 },
      { id: 'watchers-pattern-redis-cpu', label: '… its redis-server CPU per progress event (µs)', unit: 'µs', better: 'lower', digits: 1 },
    ],
    async measure(env, system) {
      const result = await watchersRun(env, system, count, sizes.watchersPeriodMs, sizes.watchersUpdates);
      // The other way for docket: one pattern for the process, every event of the docket heard.
      // With every execution watched it hears nothing more; its price is what nobody watches.
      let viaPattern: WatchersResult | undefined;
      if (system.id === 'docket' && sizes.watchersFull) {
        await env.admin.flushAll();
        viaPattern = await watchersRun(env, system, count, sizes.watchersPeriodMs, sizes.watchersUpdates, true);
      }
      return {
        values: {
          'watchers-p50': result.p50,
          'watchers-p99': result.p99,
          'watchers-rss': result.rssPerWatcher,
          'watchers-heap': result.heapPerWatcher,
          'watchers-connections': result.connections,
          'watchers-subscribers': result.subscribers,
          'watchers-subscriptions': result.subscriptions,
          'watchers-redis-memory': result.redisMemoryPerWatcher,
          'watchers-redis-watch': result.redisCpuUsPerWatch,
          'watchers-cpu': result.watcherCpuUsPerEvent,
          'watchers-redis-cpu': result.redisCpuUsPerEvent,
          'watchers-pattern-p99': viaPattern?.p99 ?? Number.NaN,
          'watchers-pattern-heap': viaPattern?.heapPerWatcher ?? Number.NaN,
          'watchers-pattern-cpu': viaPattern?.watcherCpuUsPerEvent ?? Number.NaN,
          'watchers-pattern-redis-cpu': viaPattern?.redisCpuUsPerEvent ?? Number.NaN,
        },
        details: { count, periodMs: sizes.watchersPeriodMs, updates: sizes.watchersUpdates, ...result, viaPattern },
      };
    },
  };
}

/** Tasks kept waiting at most by the soak's feeder (so the run is a flow, not one preload). */
const SOAK_WINDOW = 20_000;

/** What the soak measures of one system. */
interface SoakResult {
  /** Tasks/s over each successive tenth of the run (100,000 tasks each in a full run). */
  perTenth: number[];
  /** Each worker process's V8 heap after a full GC when a tenth of the tasks had started, and at the end (bytes). */
  heapAtTenth: number[];
  heapAtEnd: number[];
  /** The most stream entries seen in the run, and at the end, in every stream of the system's keys. */
  streamMax: number;
  streamEnd: number;
  /** Keys of tasks once every task ran and once the keep time passed, and Redis memory then over the baseline. */
  keysAfterRun: number;
  keysLeft: number;
  memoryLeft: number;
  /** Up to 10 of the keys left, with how many keys share each one's shape (digits and ids masked). */
  leftShapes: Record<string, number>;
  /** From the last task's start until no task's key was left, or NaN if some still were after twice the keep time. */
  cleanMs: number;
  ms: number;
}

/** The keys a system makes for each task (docket's records and inboxes, BullMQ's job hashes and logs). */
function taskKeys(system: SystemAdapter, target: Target): RegExp {
  const q = target.queue.replace(/[^\w]/g, '\\$&');
  if (system.id === 'docket') return new RegExp(`^${q}:(runs|inbox|events):`);
  if (system.id === 'bullmq') return new RegExp(`^bull:${q}:\\d+(:|$)`);
  return new RegExp(`^bq:${q}:jobs?:`);
}

/** Every key of the bench's own server, or every one of a `type` (a full SCAN: mind the keyspace's size). */
async function scanKeys(env: Env, type?: 'stream'): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = type ? await env.admin.redis.scan(cursor, 'COUNT', 1000, 'TYPE', type) : await env.admin.redis.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Entries in `streams`, all told. */
async function streamEntries(env: Env, streams: readonly string[]): Promise<number> {
  let total = 0;
  for (const key of streams) total += await env.admin.redis.xlen(key);
  return total;
}

/**
 * The soak: `count` tasks through two worker processes, results kept `keepMs` (docket
 * executionTtl, BullMQ removeOnComplete by age), fed in batches of 1,000 with at most
 * SOAK_WINDOW waiting. Then, with the workers still up, it waits for the keep time to pass and
 * counts the keys of tasks left (taskKeys) and the memory over the baseline, taken with the
 * workers up and one task run.
 */
async function soak(env: Env, system: SystemAdapter, count: number, keepMs: number): Promise<SoakResult> {
  const { admin, target } = env;
  const agents = [env.agent, ...env.moreAgents(1)];
  const tenth = Math.max(1, Math.floor(count / 10));
  // Each process stamps every 1/200th of the run; merged, the stamps tell when each tenth started.
  const markEvery = Math.max(1, Math.floor(count / 200));
  const spec = { concurrency: FLEET_CONCURRENCY, fireAndForget: false, events: false, keepMs, markEvery };
  await Promise.all(agents.map((a) => a.startWorker(system.id, target, spec, true)));
  try {
    const producer = await system.producer(target, { fireAndForget: false, observe: false, keepMs });
    // The baseline: the workers up and one task through, so that what a docket keeps whatever it
    // runs (its stream, worker registry, sweep cursor) is there; that task's own keys are not
    // counted, since only per-task keys are (taskKeys).
    await producer.addBulk([payload(-1)]);
    await admin.waitFor(async () => (await Promise.all(agents.map((a) => a.report()))).some((r) => r.tasks > 0) && (await system.remaining(admin.redis, target)) === 0, 20);
    const perTask = taskKeys(system, target);
    const memory0 = await admin.usedMemory();
    // Keys that are not any task's (counted now, while there are few keys to scan).
    const fixed = (await scanKeys(env)).filter((k) => !perTask.test(k)).length;
    const marks: number[] = [];
    let heapAtTenth: number[] = [];
    let streamMax = 0;
    let streams: string[] | undefined;
    let sampledAt = 0;
    const start = nowMs();
    try {
      let added = 0;
      let started = 0;
      while (started < count) {
        while (added < count && (await system.remaining(admin.redis, target)) < SOAK_WINDOW) {
          const n = Math.min(1000, count - added);
          await producer.addBulk(Array.from({ length: n }, (_, j) => payload(added + j)));
          added += n;
          // The streams are there once the first tasks ran; found while there are few keys.
          if (!streams && added >= 2000) streams = await scanKeys(env, 'stream');
        }
        const reports = await Promise.all(agents.map((a) => a.report()));
        started = reports.reduce((n, r) => n + r.tasks, 0) - 1;
        if (heapAtTenth.length === 0 && started >= tenth) heapAtTenth = await Promise.all(agents.map(async (a) => (await a.report(true)).heap));
        if (streams && nowMs() - sampledAt >= 250) {
          sampledAt = nowMs();
          streamMax = Math.max(streamMax, await streamEntries(env, streams));
        }
        await sleep(added >= count ? 20 : 5);
      }
    } finally {
      await producer.close();
    }
    await admin.waitFor(async () => (await system.remaining(admin.redis, target)) === 0, 20);
    const ms = nowMs() - start;
    const finals = await Promise.all(agents.map((a) => a.report(true)));
    const heapAtEnd = finals.map((r) => r.heap);
    // Stamp k of the merged marks is about the (k + 1) × markEvery-th start of the run.
    const stamps = finals.flatMap((r) => r.marks).sort((a, b) => a - b);
    for (let t = 1; t <= 10; t++) marks.push(stamps[Math.min(stamps.length - 1, Math.round((t * tenth) / markEvery) - 1)] ?? Number.NaN);
    const lastStart = stamps[stamps.length - 1] ?? nowMs();
    const keysAfterRun = (await scanKeys(env)).filter((k) => perTask.test(k)).length;
    const streamEnd = await streamEntries(env, await scanKeys(env, 'stream'));
    // The keep time, counted from the last start, and as long again (2 s to a minute) for Redis's expiry cycle.
    let cleanMs = Number.NaN;
    const giveUp = lastStart + keepMs + Math.min(60_000, Math.max(2_000, keepMs));
    // DBSIZE less the fixed keys says about how many are left without a full SCAN; a SCAN confirms.
    while (nowMs() < giveUp) {
      if ((await admin.dbSize()) - fixed <= 10 && !(await scanKeys(env)).some((k) => perTask.test(k))) {
        cleanMs = nowMs() - lastStart;
        break;
      }
      await sleep(250);
    }
    const left = (await scanKeys(env)).filter((k) => perTask.test(k));
    const leftShapes: Record<string, number> = {};
    for (const key of left) {
      const shape = key.replace(/[0-9A-Za-z_~-]{16,}/g, '<id>').replace(/\d+/g, '<n>');
      leftShapes[shape] = (leftShapes[shape] ?? 0) + 1;
    }
    const bounds = [0, ...marks];
    const perTenth = marks.map((at, i) => perSecond(tenth, at - (i === 0 ? start : bounds[i])));
    return {
      perTenth,
      heapAtTenth,
      heapAtEnd,
      streamMax,
      streamEnd,
      keysAfterRun,
      keysLeft: left.length,
      memoryLeft: (await admin.usedMemory()) - memory0,
      leftShapes: Object.fromEntries(Object.entries(leftShapes).slice(0, 10)),
      cleanMs,
      ms,
    };
  } finally {
    await Promise.all(agents.map((a) => a.stopWorker().catch(() => undefined)));
  }
}

function soakCell(sizes: Sizes): Cell {
  const count = sizes.soak;
  const shown = count.toLocaleString('en-US');
  const keep = `${sizes.soakKeepMs / 1000} s`;
  const tenth = Math.floor(count / 10).toLocaleString('en-US');
  return {
    id: 'soak',
    title: `Soak: ${shown} tasks through 2 worker processes, results kept ${keep}`,
    rounds: 1,
    timeoutMs: 600_000,
    metrics: [
      { id: 'soak-rate', label: `${shown} through 2 processes × ${FLEET_CONCURRENCY}, results kept ${keep} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      { id: 'soak-rate-first', label: `… first ${tenth} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      { id: 'soak-rate-last', label: `… last ${tenth} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0 },
      {
        id: 'soak-heap-growth',
        label: `… worker heap growth from the ${tenth}th task to the last, the larger of the 2 (MB)`,
        unit: 'MB',
        better: 'lower',
        digits: 2,
        budget: { text: '< 10 MB', check: (ours) => ours < 10 },
      },
      { id: 'soak-stream-max', label: '… most stream entries during the run', unit: 'entries', better: 'lower', digits: 0 },
      { id: 'soak-keys-after', label: '… keys of tasks once every task ran', unit: 'keys', better: 'lower', digits: 0 },
      {
        id: 'soak-keys-left',
        label: `… keys of tasks left once ${keep} passed, and as long again`,
        unit: 'keys',
        better: 'lower',
        digits: 0,
        budget: { text: '0', check: (ours) => ours === 0 },
      },
      { id: 'soak-memory-left', label: `… Redis memory over the baseline then (MB)`, unit: 'MB', better: 'lower', digits: 2 },
      { id: 'soak-clean', label: "… from the last task's start until no task's key was left (s)", unit: 's', better: 'lower', digits: 1 },
    ],
    async measure(env, system) {
      if (system.id === 'bee-queue') {
        // It keeps a finished job or removes it at once: it has no way to keep results for a time.
        const none = Number.NaN;
        return { values: Object.fromEntries(this.metrics.map((m) => [m.id, none])), details: { skipped: 'no age-based removal of finished jobs' } };
      }
      const result = await soak(env, system, count, sizes.soakKeepMs);
      const growth = Math.max(...result.heapAtEnd.map((end, i) => end - (result.heapAtTenth[i] ?? end)));
      return {
        values: {
          'soak-rate': perSecond(count, result.ms),
          'soak-rate-first': result.perTenth[0] ?? Number.NaN,
          'soak-rate-last': result.perTenth[result.perTenth.length - 1] ?? Number.NaN,
          'soak-heap-growth': growth / 1e6,
          'soak-stream-max': result.streamMax,
          'soak-keys-after': result.keysAfterRun,
          'soak-keys-left': result.keysLeft,
          'soak-memory-left': result.memoryLeft / 1e6,
          'soak-clean': result.cleanMs / 1000,
        },
        details: { count, keepMs: sizes.soakKeepMs, ...result },
      };
    },
  };
}

/**
 * Where one pattern subscription becomes cheaper than a channel per watched execution: the same
 * running executions with a fraction of them watched, docket alone, each way. A channel costs
 * Redis a SUBSCRIBE and an UNSUBSCRIBE per watch and a NUMSUB per event a script publishes; a
 * pattern makes every script publish every event to the watching process, watched or not.
 */
function crossoverCell(sizes: Sizes): Cell {
  const count = sizes.watchers;
  const rate = Math.round((count * 1000) / sizes.watchersPeriodMs).toLocaleString('en-US');
  const metrics = sizes.watchersCrossover.flatMap((watched) => {
    const shown = watched.toLocaleString('en-US');
    return [
      { id: `crossover-${watched}-channels`, label: `${shown} of ${count.toLocaleString('en-US')} running watched, ${rate} events/s, a channel each: redis-server CPU per event published (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
      { id: `crossover-${watched}-pattern`, label: `… one pattern instead (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
      { id: `crossover-${watched}-channels-cpu`, label: `… watching process CPU per event published, a channel each (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
      { id: `crossover-${watched}-pattern-cpu`, label: `… one pattern (µs)`, unit: 'µs', better: 'lower' as const, digits: 1 },
    ];
  });
  return {
    id: 'crossover',
    title: `Channels or a pattern: ${count.toLocaleString('en-US')} running, some watched (docket)`,
    rounds: 1,
    timeoutMs: 900_000,
    metrics,
    async measure(env, system) {
      const values: Record<string, number> = {};
      const details: Record<string, { channels?: WatchersResult; pattern?: WatchersResult }> = {};
      for (const watched of sizes.watchersCrossover) {
        details[watched] = {};
        for (const pattern of [false, true]) {
          const key = `crossover-${watched}-${pattern ? 'pattern' : 'channels'}`;
          if (system.id !== 'docket') {
            values[key] = values[`${key}-cpu`] = Number.NaN;
            continue;
          }
          await env.admin.flushAll();
          const result = await watchersRun(env, system, count, sizes.watchersPeriodMs, sizes.watchersUpdates, pattern, watched);
          const published = count * sizes.watchersUpdates;
          values[key] = result.redisCpuUs / published;
          values[`${key}-cpu`] = result.watcherCpuUs / published;
          details[watched][pattern ? 'pattern' : 'channels'] = result;
        }
      }
      return { values, details };
    },
  };
}

export const scaleScenario: Scenario = {
  id: 'scale',
  title: 'Scale',
  cells: (s) => [backlogCell(s), ...(s.burst > 0 ? [burstCell(s)] : []), watchersCell(s), ...(s.watchersCrossover.length > 0 ? [crossoverCell(s)] : []), soakCell(s), fleetCell(s, 1), fleetCell(s, 2), fleetCell(s, 4)],
};
