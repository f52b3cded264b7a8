/**
 * 8. docket's two backends side by side: `memory://` against Redis, each with producer and
 * worker in the bench's own process (so neither has a process hop, unlike the docket rows of the
 * other scenarios, whose worker runs in the agent). docket only; the peers have no in-process
 * backend.
 * - drain: N no-op tasks added in one addMany, then one worker (concurrency 10) runs them all;
 *   tasks/s from the worker's start until nothing is due or running.
 * - add → result: one task at a time, `add` then `getResult()`, after a warm-up; p50 in ms.
 */
import { Docket } from '../../../lib/core/producer/docket';
import { Worker } from '../../../lib/core/worker/worker';
import type { SystemAdapter } from '../adapter';
import { perSecond, type Cell, type Env, type MetricDef, type Scenario, type Sizes } from '../scenario';
import { median, nowMs } from '../stats';

const silent = { log: (): void => undefined, warn: (): void => undefined, error: (): void => undefined, debug: (): void => undefined };

async function noop(i: number): Promise<number> {
  return i;
}

let made = 0;

function docketOn(url: string): Docket {
  const docket = new Docket({ name: `bench-backends-${process.pid}-${++made}`, url, logger: silent });
  docket.register(noop);
  return docket;
}

/** Tasks per second for `count` preloaded no-op tasks drained at concurrency 10. */
async function drainRate(url: string, count: number): Promise<number> {
  const docket = docketOn(url);
  try {
    await docket.addMany(Array.from({ length: count }, (_, i) => docket.call(noop)(i)));
    const start = nowMs();
    // Until nothing is due or running: it ends as the last outcome is written, with no final wait.
    await new Worker(docket, { concurrency: 10 }).runUntilIdle();
    const rate = perSecond(count, nowMs() - start);
    await docket.clear();
    return rate;
  } finally {
    await docket.close();
  }
}

/** The median of `samples` sequential add → result times, after `warmup` of them (ms). */
async function addToResult(url: string, warmup: number, samples: number): Promise<number> {
  const docket = docketOn(url);
  const worker = new Worker(docket, { concurrency: 10 });
  const running = worker.runForever();
  try {
    const times: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const start = nowMs();
      await (await docket.add(noop)(i)).getResult({ timeout: 10_000 });
      if (i >= warmup) times.push(nowMs() - start);
    }
    return median(times);
  } finally {
    await worker.stop();
    await running;
    await docket.close();
  }
}

function backendsCell(sizes: Sizes): Cell {
  const n = sizes.drain.toLocaleString('en-US');
  const metric = (id: string, label: string, unit: string, better: 'higher' | 'lower', digits: number): MetricDef => ({ id, label, unit, better, digits });
  return {
    id: 'backends',
    title: 'docket on memory:// and on Redis, in one process (docket)',
    metrics: [
      metric('backends-drain-memory', `memory://: drain ${n} preloaded no-op tasks, c=10, in process (tasks/s)`, 'tasks/s', 'higher', 0),
      metric('backends-drain-redis', `Redis: the same (tasks/s)`, 'tasks/s', 'higher', 0),
      metric('backends-drain-ratio', 'memory ÷ Redis, drain', '×', 'higher', 2),
      metric('backends-e2e-memory', 'memory://: add → result p50, one at a time, in process (ms)', 'ms', 'lower', 3),
      metric('backends-e2e-redis', 'Redis: the same (ms)', 'ms', 'lower', 3),
      metric('backends-e2e-ratio', 'Redis ÷ memory, add → result p50', '×', 'higher', 1),
    ],
    async measure(env: Env, system: SystemAdapter) {
      const ids = ['drain-memory', 'drain-redis', 'drain-ratio', 'e2e-memory', 'e2e-redis', 'e2e-ratio'];
      if (system.id !== 'docket') return { values: Object.fromEntries(ids.map((id) => [`backends-${id}`, Number.NaN])) };
      const redis = `redis://${env.target.host}:${env.target.port}/0`;
      const memory = 'memory://';
      const drainMemory = await drainRate(memory, sizes.drain);
      const drainRedis = await drainRate(redis, sizes.drain);
      const e2eMemory = await addToResult(memory, sizes.latencyWarmup, sizes.latency);
      const e2eRedis = await addToResult(redis, sizes.latencyWarmup, sizes.latency);
      return {
        values: {
          'backends-drain-memory': drainMemory,
          'backends-drain-redis': drainRedis,
          'backends-drain-ratio': drainMemory / drainRedis,
          'backends-e2e-memory': e2eMemory,
          'backends-e2e-redis': e2eRedis,
          'backends-e2e-ratio': e2eRedis / e2eMemory,
        },
      };
    },
  };
}

export const backendsScenario: Scenario = {
  id: 'backends',
  title: 'Backends: memory:// beside Redis',
  cells: (s) => [backendsCell(s)],
};
