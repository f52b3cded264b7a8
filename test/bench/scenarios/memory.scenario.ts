/**
 * 6. Redis memory per execution once finished, as a slope: `used_memory` after draining N/2
 * preloaded no-op tasks, and again after N/2 more, the difference divided by N/2. Fixed
 * per-queue structures (BullMQ's events stream, capped near 10,000 entries and full long before
 * N/2) are in both readings and so drop out; the absolute figure per task (memory after N minus
 * the flushed server's, over N) is kept in the JSON details. Measured with every connection but
 * the bench's admin one closed (no client buffers), after a warm-up run of the same system so
 * that its Lua scripts are already cached in every reading.
 * - retained: each library's defaults (docket keeps records for executionTtl = 15 min and then
 *   drops them; BullMQ and bee-queue keep completed jobs until removed);
 * - fire-and-forget: docket executionTtl 0, BullMQ removeOnComplete, bee-queue removeOnSuccess.
 * What is left in fire-and-forget mode is mostly fixed per-queue structures (BullMQ's events
 * stream is capped near 10,000 entries), so it shrinks per task as N grows.
 */
import type { SystemAdapter } from '../adapter';
import { AT_MOST_BULLMQ, type Cell, type Env, type Scenario, type Sizes } from '../scenario';
import { sleep } from '../stats';
import { drain } from '../workload';

async function settle(env: Env): Promise<number> {
  await sleep(100);
  const clients = await env.admin.waitForClients();
  if (clients !== 1) console.warn(`  (memory: ${clients} clients still connected)`);
  return clients;
}

function cell(sizes: Sizes, fireAndForget: boolean): Cell {
  const id = fireAndForget ? 'memory-ff' : 'memory-retained';
  const n = sizes.memory.toLocaleString('en-US');
  const halfCount = Math.floor(sizes.memory / 2);
  const half = halfCount.toLocaleString('en-US');
  return {
    id,
    title: fireAndForget ? 'Memory, fire-and-forget' : 'Memory, retained',
    metrics: [
      {
        id,
        label: fireAndForget
          ? `Redis memory per execution, fire-and-forget (bytes, slope from ${half} to ${n} tasks)`
          : `Redis memory per retained completed execution (bytes, slope from ${half} to ${n} tasks; docket keeps it 15 min, the peers until removed)`,
        unit: 'bytes',
        better: 'lower',
        digits: fireAndForget ? 1 : 0,
        target: fireAndForget ? undefined : AT_MOST_BULLMQ,
      },
    ],
    async measure(env: Env, system: SystemAdapter) {
      const { admin } = env;
      await drain(env, system, { count: 200, concurrency: 50, fireAndForget });
      await admin.flushAll();
      await settle(env);
      const before = await admin.usedMemory();
      await drain(env, system, { count: halfCount, concurrency: 50, fireAndForget });
      await settle(env);
      const middle = await admin.usedMemory();
      await drain(env, system, { count: sizes.memory - halfCount, concurrency: 50, fireAndForget });
      const clients = await settle(env);
      const after = await admin.usedMemory();
      const keys = await admin.dbSize();
      return {
        values: { [id]: (after - middle) / (sizes.memory - halfCount) },
        details: { count: sizes.memory, before, middle, after, absolutePerTask: (after - before) / sizes.memory, keys, clients },
      };
    },
  };
}

export const memoryScenario: Scenario = {
  id: 'memory',
  title: 'Memory per execution',
  cells: (s) => [cell(s, false), cell(s, true)],
};
