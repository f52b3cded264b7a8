/**
 * 1. Enqueue throughput, producer only (no worker): one awaited add at a time; 100 in flight
 * (Promise.all over batches of 100, as in the anchor); and the batch API with 1,000 per call.
 * Each measurement first runs a warm-up in the same mode (scripts loaded, JIT warm).
 */
import type { Producer } from '../adapter';
import { FASTER, perSecond, type Cell, type Scenario } from '../scenario';
import { nowMs } from '../stats';
import { payload } from '../tasks';
import { preload } from '../workload';

type Mode = (producer: Producer, from: number, count: number) => Promise<void>;

const sequential: Mode = async (producer, from, count) => {
  for (let i = from; i < from + count; i++) await producer.add(payload(i));
};

const inFlight: Mode = async (producer, from, count) => {
  for (let i = from; i < from + count; i += 100) {
    const batch: Promise<string>[] = [];
    for (let j = i; j < Math.min(i + 100, from + count); j++) batch.push(producer.add(payload(j)));
    await Promise.all(batch);
  }
};

const bulk: Mode = (producer, from, count) => preload(producer, count, from);

function cell(id: string, title: string, count: number, warmup: number, mode: Mode): Cell {
  return {
    id,
    title,
    metrics: [
      { id, label: `${title} (tasks/s)`, unit: 'tasks/s', better: 'higher', digits: 0, target: FASTER },
      { id: `${id}-client-cpu`, label: '… producer process CPU per task (µs)', unit: 'µs', better: 'lower', digits: 1 },
      { id: `${id}-redis-cpu`, label: '… redis-server CPU per task (µs)', unit: 'µs', better: 'lower', digits: 1 },
    ],
    async measure(env, system) {
      const producer = await system.producer(env.target, { fireAndForget: false, observe: false });
      try {
        await mode(producer, 0, warmup);
        const redisCpu0 = await env.admin.serverCpuSeconds();
        const cpu0 = process.cpuUsage();
        const start = nowMs();
        await mode(producer, warmup, count);
        const ms = nowMs() - start;
        const cpu = process.cpuUsage(cpu0);
        const redisCpu = (await env.admin.serverCpuSeconds()) - redisCpu0;
        const clientCpuUs = (cpu.user + cpu.system) / count;
        const redisCpuUs = (redisCpu * 1e6) / count;
        return {
          values: { [id]: perSecond(count, ms), [`${id}-client-cpu`]: clientCpuUs, [`${id}-redis-cpu`]: redisCpuUs },
          details: { count, ms, clientCpuUsPerTask: clientCpuUs, redisCpuUsPerTask: redisCpuUs },
        };
      } finally {
        await producer.close();
      }
    },
  };
}

export const enqueueScenario: Scenario = {
  id: 'enqueue',
  title: 'Enqueue',
  cells: (s) => [
    cell('enqueue-seq', 'Enqueue, one awaited add at a time', s.enqueueSeq, s.enqueueWarmup, sequential),
    cell('enqueue-100', 'Enqueue, 100 in flight', s.enqueueInFlight, s.enqueueWarmup, inFlight),
    cell('enqueue-bulk', 'Enqueue, batch API 1,000 per call', s.enqueueBulk, Math.max(1000, s.enqueueWarmup), bulk),
  ],
};

