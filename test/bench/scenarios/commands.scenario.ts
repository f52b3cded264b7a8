/**
 * 5. Redis commands and round trips per task, for two workloads:
 * - preloaded: the batch API adds N tasks, then a worker (concurrency 10) drains them;
 * - live: one task at a time, add → result seen by the producer, idle worker (concurrency 10).
 *
 * Method. Each workload runs twice per system:
 * 1. statistics pass: CONFIG RESETSTAT, then `INFO commandstats` (every command the server
 *    executed, those inside Lua scripts included) and `INFO stats` total_reads_processed (read
 *    events: one per batch of bytes the server read from a client socket, so a pipeline or
 *    several commands that arrive together count once — the proxy for client round trips).
 * 2. MONITOR pass: splits the commands into client-issued (one per command a client sent,
 *    pipelined ones included) and run inside Lua.
 * The bench's own admin connection (the INFO/CONFIG calls and the 2 ms polls that detect the
 * end of the drain) counts its commands and socket writes, and these are taken out.
 * Worker start-up is inside the preloaded window (amortized over N tasks); producer and worker
 * construction, the live workload's warm-up, and closing are outside.
 */
import type { MonitorCounts } from '../admin';
import { diffStats, sumStats, type CommandStats } from '../admin';
import type { Producer, SystemAdapter } from '../adapter';
import type { Cell, Env, MetricDef, Scenario, Sizes } from '../scenario';
import { payload } from '../tasks';
import { drain } from '../workload';

interface Window {
  /** Server-side command executions (Lua-internal included), by name. */
  executed: CommandStats;
  /** Server read events. */
  reads: number;
}

/** Runs a workload; it calls `begin()` and `end()` around the part to count. */
type Workload = (begin: () => Promise<void>, end: () => Promise<void>) => Promise<void>;

/** A statistics window, with the admin connection's own traffic taken out. */
async function statsWindow(env: Env, workload: Workload): Promise<Window> {
  const { admin } = env;
  let before = admin.snapshotSent();
  let reads0 = 0;
  let writesAfterReads0 = 0;
  let result: Window | undefined;
  await workload(
    async () => {
      before = admin.snapshotSent();
      await admin.resetStats();
      reads0 = await admin.readsProcessed();
      writesAfterReads0 = admin.writes;
    },
    async () => {
      const reads1 = await admin.readsProcessed();
      const own = diffStats(admin.sent, before.sent); // config + 2 × info + polls: all in commandstats
      const ownReads = admin.writes - writesAfterReads0; // the polls and the last INFO
      const executed = await admin.commandStats();
      for (const [name, n] of Object.entries(own)) {
        executed[name] = (executed[name] ?? 0) - n;
        if (executed[name] <= 0) delete executed[name];
      }
      result = { executed, reads: reads1 - reads0 - ownReads };
    },
  );
  if (!result) throw new Error('the statistics window was never closed');
  return result;
}

async function monitorWindow(env: Env, workload: Workload): Promise<MonitorCounts> {
  let stop: (() => Promise<MonitorCounts>) | undefined;
  let counts: MonitorCounts | undefined;
  await workload(
    async () => {
      stop = (await env.admin.monitor()).stop;
    },
    async () => {
      counts = await stop?.();
    },
  );
  if (!counts) throw new Error('the monitor window was never closed');
  return counts;
}

function preloaded(env: Env, system: SystemAdapter, sizes: Sizes): Workload {
  return async (begin, end) => {
    await drain(env, system, {
      count: sizes.commandsPreloaded,
      concurrency: 10,
      fireAndForget: false,
      beforePreload: begin,
      whenDrained: end,
    });
  };
}

function live(env: Env, system: SystemAdapter, sizes: Sizes): Workload {
  return async (begin, end) => {
    const { agent, target } = env;
    await agent.startWorker(system.id, target, { concurrency: 10, fireAndForget: false }, true);
    let producer: Producer | undefined;
    try {
      producer = await system.producer(target, { fireAndForget: false, observe: true });
      for (let i = 0; i < 50; i++) await (await producer.submit(payload(i))).done;
      await begin();
      for (let i = 0; i < sizes.commandsLive; i++) await (await producer.submit(payload(i))).done;
      await end();
    } finally {
      await producer?.close();
      await agent.stopWorker();
    }
  };
}

const per = (n: number, count: number): number => n / count;

function metrics(): MetricDef[] {
  const m = (id: string, label: string, digits = 2, budget?: MetricDef['budget']): MetricDef => ({
    id, label, unit: 'per task', better: 'lower', digits, budget,
  });
  const rt = { text: 'DESIGN §5: ≤ 3', check: (v: number) => v <= 3 };
  return [
    m('cmds-preloaded', 'Redis commands executed per task, preloaded + drain c=10 (incl. inside Lua)'),
    m('cmds-live', 'Redis commands executed per task, live add → result (incl. inside Lua)'),
    m('client-preloaded', 'Client-issued commands per task, preloaded (MONITOR)'),
    m('client-live', 'Client-issued commands per task, live (MONITOR)'),
    m('reads-preloaded', 'Server read events per task ≈ client round trips, preloaded', 2, rt),
    m('reads-live', 'Server read events per task ≈ client round trips, live add → result', 2),
  ];
}

function cell(sizes: Sizes): Cell {
  return {
    id: 'commands',
    title: 'Commands and round trips per task',
    metrics: metrics(),
    async measure(env, system) {
      const np = sizes.commandsPreloaded;
      const nl = sizes.commandsLive;
      const statsPre = await statsWindow(env, preloaded(env, system, sizes));
      await env.admin.flushAll();
      const statsLive = await statsWindow(env, live(env, system, sizes));
      await env.admin.flushAll();
      const monPre = await monitorWindow(env, preloaded(env, system, sizes));
      await env.admin.flushAll();
      const monLive = await monitorWindow(env, live(env, system, sizes));
      const perTask = (stats: CommandStats, count: number): CommandStats =>
        Object.fromEntries(Object.entries(stats).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / count) * 1000) / 1000]));
      return {
        values: {
          'cmds-preloaded': per(sumStats(statsPre.executed), np),
          'cmds-live': per(sumStats(statsLive.executed), nl),
          'client-preloaded': per(sumStats(monPre.client), np),
          'client-live': per(sumStats(monLive.client), nl),
          'reads-preloaded': per(statsPre.reads, np),
          'reads-live': per(statsLive.reads, nl),
        },
        details: {
          preloaded: { tasks: np, executed: perTask(statsPre.executed, np), client: perTask(monPre.client, np), lua: perTask(monPre.lua, np) },
          live: { tasks: nl, executed: perTask(statsLive.executed, nl), client: perTask(monLive.client, nl), lua: perTask(monLive.lua, nl) },
        },
      };
    },
  };
}

export const commandsScenario: Scenario = {
  id: 'commands',
  title: 'Commands per task',
  cells: (s) => [cell(s)],
};
