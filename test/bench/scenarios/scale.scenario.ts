/**
 * Issue "Scale": costs that stay flat as the work grows. So far: the fleet, one docket drained by
 * 1, 2 and 4 worker processes on the same Redis, with the Redis CPU per task, so that a reader
 * sees where Redis and not the worker becomes the bound. On a 2-core machine the worker
 * processes and Redis share the cores: past 2 processes the figure says how the system degrades
 * under contention, not how it scales on more cores.
 */
import type { SystemAdapter } from '../adapter';
import { AgentClient } from '../agent-client';
import type { WorkerReport } from '../agent-protocol';
import { perSecond, type Cell, type Env, type Scenario, type Sizes } from '../scenario';
import { nowMs } from '../stats';
import { preload } from '../workload';

/** Worker concurrency of each process in the fleet cells. */
const FLEET_CONCURRENCY = 50;

/** Drains `count` preloaded tasks with `processes` worker processes (the bench's agent and more). */
async function fleetDrain(env: Env, system: SystemAdapter, processes: number, count: number): Promise<{ ms: number; redisCpuUs: number; workerCpuUs: number }> {
  const extra = Array.from({ length: processes - 1 }, () => AgentClient.start());
  const agents = [env.agent, ...extra];
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
  } finally {
    await Promise.all(extra.map((a) => a.exit()));
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

export const scaleScenario: Scenario = {
  id: 'scale',
  title: 'Scale',
  cells: (s) => [fleetCell(s, 1), fleetCell(s, 2), fleetCell(s, 4)],
};
