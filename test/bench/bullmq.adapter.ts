/**
 * BullMQ under test, with its defaults: `Queue.add` / `addBulk`, a `Worker` (autorun off, then
 * `run()`), results via `job.waitUntilFinished(queueEvents)` or (results 'fastest') a
 * queue-level `QueueEvents` 'completed' listener with an id map, progress via
 * `job.updateProgress` and `QueueEvents` 'progress'.
 */
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { BenchWorker, Payload, Producer, ProducerSpec, SystemAdapter, Target, TaskProbe, Watchers, WorkerSpec } from './adapter';
import { progressLoop } from './tasks';

const connection = (target: Target): ConnectionOptions => ({ host: target.host, port: target.port });

export const bullmqAdapter: SystemAdapter = {
  id: 'bullmq',
  label: 'BullMQ',

  async producer(target: Target, spec: ProducerSpec): Promise<Producer> {
    const queue = new Queue<Payload>(target.queue, {
      connection: connection(target),
      ...(spec.fireAndForget
        ? { defaultJobOptions: { removeOnComplete: true } }
        : spec.keepMs !== undefined
          ? { defaultJobOptions: { removeOnComplete: { age: Math.ceil(spec.keepMs / 1000) } } }
          : {}),
    });
    await queue.waitUntilReady();
    let events: QueueEvents | undefined;
    if (spec.observe) {
      events = new QueueEvents(target.queue, { connection: connection(target) });
      await events.waitUntilReady();
    }
    const queueEvents = (): QueueEvents => {
      if (!events) throw new Error('this BullMQ producer was made without observe');
      return events;
    };
    // The fastest documented way to hear results: one queue-level 'completed' listener and an id
    // map (remembering a completion heard before its add returned), as the bee-queue adapter does.
    const waiting = new Map<string, () => void>();
    const early = new Set<string>();
    if (spec.results === 'fastest') {
      queueEvents().on('completed', ({ jobId }) => {
        const resolve = waiting.get(jobId);
        if (resolve) {
          waiting.delete(jobId);
          resolve();
        } else early.add(jobId);
      });
    }
    return {
      add: async (payload) => (await queue.add('job', payload)).id ?? '',
      addBulk: async (payloads) => {
        await queue.addBulk(payloads.map((data) => ({ name: 'job', data })));
      },
      addScheduled: async (payloads, dueAt) => {
        const now = Date.now();
        await queue.addBulk(payloads.map((data, i) => ({ name: 'job', data, opts: { delay: Math.max(1, dueAt[i] - now) } })));
      },
      submit: async (payload) => {
        const job = await queue.add('job', payload);
        const id = job.id ?? '';
        if (spec.results === 'fastest') {
          const done = early.delete(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve));
          return { id, done };
        }
        return { id, done: job.waitUntilFinished(queueEvents()).then(() => undefined) };
      },
      onProgress: async (listener) => {
        queueEvents().on('progress', ({ jobId, data }) => listener(jobId, Number(data)));
      },
      close: async () => {
        await events?.close();
        await queue.close();
      },
    };
  },

  async worker(target: Target, spec: WorkerSpec, probe: TaskProbe): Promise<BenchWorker> {
    const worker = new Worker<Payload>(
      target.queue,
      async (job) => {
        probe.started();
        if (!job.data.u) return;
        await progressLoop(job.data, job.id ?? '', probe, (value) => job.updateProgress(value));
      },
      { connection: connection(target), concurrency: spec.concurrency, autorun: false },
    );
    worker.on('error', (err) => console.error('bullmq worker error', err));
    await worker.waitUntilReady();
    let loop: Promise<void> | undefined;
    return {
      run: () => {
        loop = worker.run();
        loop.catch((err: unknown) => console.error('bullmq worker failed', err));
      },
      stop: async () => {
        await worker.close();
        await loop;
      },
    };
  },

  async remaining(admin: Redis, target: Target): Promise<number> {
    // Jobs move wait → active (moveToActive) → completed/removed (moveToFinished), atomically.
    const [[, waiting], [, active]] = (await admin
      .pipeline()
      .llen(`bull:${target.queue}:wait`)
      .llen(`bull:${target.queue}:active`)
      .exec()) as [[Error | null, number], [Error | null, number]];
    return waiting + active;
  },
  async scheduled(admin: Redis, target: Target): Promise<number> {
    return admin.zcard(`bull:${target.queue}:delayed`);
  },

  async watchers(target: Target): Promise<Watchers> {
    const events = new QueueEvents(target.queue, { connection: connection(target) });
    events.setMaxListeners(0);
    await events.waitUntilReady();
    return {
      // BullMQ's per-job events (QueueEvents also emits '<event>:<jobId>'), one listener for each
      // of what a docket Observable tells: started, progress, and the end, which removes them all.
      watch: async (ids, listener) => {
        type Named = 'progress';
        for (const id of ids) {
          const onProgress = ({ data }: { data: unknown }): void => listener(id, Number(data));
          const onActive = (): void => undefined;
          const onEnd = (): void => {
            events.off(`progress:${id}` as Named, onProgress);
            events.off(`active:${id}` as Named, onActive);
            events.off(`completed:${id}` as Named, onEnd);
            events.off(`failed:${id}` as Named, onEnd);
          };
          events.on(`progress:${id}` as Named, onProgress);
          events.on(`active:${id}` as Named, onActive);
          events.on(`completed:${id}` as Named, onEnd);
          events.on(`failed:${id}` as Named, onEnd);
        }
      },
      close: () => events.close(),
    };
  },
};
