/**
 * 3. End-to-end latency: add one task, wait until the producer has its result, repeat. The
 * worker (agent process, concurrency 10) is idle when each task is added. docket waits with
 * `execution.getResult()`, BullMQ with `job.waitUntilFinished(queueEvents)`, bee-queue with
 * the job's 'succeeded' event.
 */
import type { Cell, Scenario, Sizes, TargetRule } from '../scenario';
import { nowMs, summarize } from '../stats';
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
    ],
    async measure(env, system) {
      const { agent, target } = env;
      await agent.startWorker(system.id, target, { concurrency: 10, fireAndForget: false }, true);
      try {
        const producer = await system.producer(target, { fireAndForget: false, observe: true });
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
        const summary = summarize(samples);
        return { values: { 'e2e-p50': summary.p50, 'e2e-p95': summary.p95, 'e2e-p99': summary.p99 }, details: summary };
      } finally {
        await agent.stopWorker();
      }
    },
  };
}

export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'End-to-end latency',
  cells: (s) => [cell(s)],
};
