/**
 * 3. End-to-end latency: add one task, wait until the producer has its result, repeat. The
 * worker (agent process, concurrency 10) is idle when each task is added. docket waits with
 * `execution.getResult()`, BullMQ with `job.waitUntilFinished(queueEvents)` (its documented
 * per-job wait: an isFinished script and listeners per job) and again with a queue-level
 * 'completed' listener and an id map (its fastest documented path), bee-queue with its
 * queue-level 'job succeeded' event and an id map. docket and bee-queue are measured twice the
 * same way, so every row compares runs taken under the same conditions.
 */
import type { SystemAdapter } from '../adapter';
import type { Cell, Env, Scenario, Sizes, TargetRule } from '../scenario';
import { nowMs, summarize, type LatencySummary } from '../stats';
import { payload } from '../tasks';

const p50Target: TargetRule = {
  text: '≤0.8× BullMQ, ≤ bee-queue',
  bounds: [
    { peer: 'bullmq', op: '<=', factor: 0.8 },
    { peer: 'bee-queue', op: '<=', factor: 1 },
  ],
};

function cell(sizes: Sizes): Cell {
  const n = sizes.latency.toLocaleString('en-US');
  return {
    id: 'e2e',
    title: 'End-to-end latency',
    metrics: [
      { id: 'e2e-p50', label: `End-to-end add → result, p50 (ms, ${n} tasks)`, unit: 'ms', better: 'lower', digits: 3, target: p50Target },
      { id: 'e2e-p95', label: 'End-to-end add → result, p95 (ms)', unit: 'ms', better: 'lower', digits: 3 },
      { id: 'e2e-p99', label: 'End-to-end add → result, p99 (ms)', unit: 'ms', better: 'lower', digits: 3 },
      {
        id: 'e2e-fast-p50',
        label: "… each on its fastest documented path, p50 (ms; BullMQ: a queue-level 'completed' listener; docket, bee-queue: their one path, another run)",
        unit: 'ms',
        better: 'lower',
        digits: 3,
        target: p50Target,
      },
      { id: 'e2e-fast-p99', label: '… each on its fastest documented path, p99 (ms)', unit: 'ms', better: 'lower', digits: 3 },
    ],
    async measure(env, system) {
      const documented = await latencies(env, system, 'documented');
      const fastest = await latencies(env, system, 'fastest');
      return {
        values: {
          'e2e-p50': documented.p50,
          'e2e-p95': documented.p95,
          'e2e-p99': documented.p99,
          'e2e-fast-p50': fastest.p50,
          'e2e-fast-p99': fastest.p99,
        },
        details: { documented, fastest },
      };
    },
  };
}

/** One add at a time, each awaited to its result, by the `results` path; the summary of the measured ones. */
export async function latencies(env: Env, system: SystemAdapter, results: 'documented' | 'fastest'): Promise<LatencySummary> {
  const { agent, target, sizes } = env;
  await agent.startWorker(system.id, target, { concurrency: 10, fireAndForget: false }, true);
  try {
    const producer = await system.producer(target, { fireAndForget: false, observe: true, results });
    const samples: number[] = [];
    try {
      for (let i = 0; i < sizes.latencyWarmup + sizes.latency; i++) {
        const start = nowMs();
        const submitted = await producer.submit(payload(i));
        await submitted.done;
        if (i >= sizes.latencyWarmup) samples.push(nowMs() - start);
      }
    } finally {
      await producer.close();
    }
    return summarize(samples);
  } finally {
    await agent.stopWorker();
  }
}

export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'End-to-end latency',
  cells: (s) => [cell(s)],
};
