/**
 * bee-queue under test, with its defaults: `createJob(…).save()` / `saveAll`, a worker queue
 * with `process(concurrency, fn)`, results via the producer queue's 'job succeeded' event,
 * progress via `job.reportProgress` and the producer queue's 'job progress' event.
 *
 * As in the anchor, a producer that does not observe uses `isWorker: false, getEvents: false`,
 * and the worker queue uses `getEvents: false`; it sends events unless nobody listens (the
 * drains: `sendEvents: false`). Producers use
 * `storeJobs: false` (bee-queue's README recommends it when jobs need no per-job events).
 *
 * Why queue-level 'job succeeded' rather than the Job's own 'succeeded': bee-queue registers a
 * job for its per-job events only once `save()` has returned, and with a fast worker in another
 * process the pub/sub message can be read before the save reply — the job's event is then lost
 * (seen here in ~1 of 3 adds). Queue-level events keyed by id, remembering early arrivals, are
 * race-free and cost the same.
 */
import BeeQueue from 'bee-queue';
import type Redis from 'ioredis';
import type { BenchWorker, Payload, Producer, ProducerSpec, SystemAdapter, Target, TaskProbe, Watchers, WorkerSpec } from './adapter';
import { progressLoop } from './tasks';

export const beeQueueAdapter: SystemAdapter = {
  id: 'bee-queue',
  label: 'bee-queue',

  async producer(target: Target, spec: ProducerSpec): Promise<Producer> {
    const queue = new BeeQueue<Payload>(target.queue, {
      redis: { host: target.host, port: target.port },
      isWorker: false,
      getEvents: spec.observe,
      storeJobs: false,
      removeOnSuccess: spec.fireAndForget,
    });
    const waiting = new Map<string, () => void>();
    const early = new Set<string>();
    queue.on('job succeeded', (jobId) => {
      const resolve = waiting.get(jobId);
      if (resolve) {
        waiting.delete(jobId);
        resolve();
      } else early.add(jobId);
    });
    await queue.ready();
    const save = async (payload: Payload): Promise<BeeQueue.Job<Payload>> => queue.createJob(payload).save();
    return {
      add: async (payload) => (await save(payload)).id,
      addBulk: async (payloads) => {
        const errors = await queue.saveAll(payloads.map((p) => queue.createJob(p)));
        if (errors.size > 0) throw [...errors.values()][0];
      },
      addScheduled: async (payloads, dueAt) => {
        const errors = await queue.saveAll(payloads.map((p, i) => queue.createJob(p).delayUntil(dueAt[i])));
        if (errors.size > 0) throw [...errors.values()][0];
      },
      submit: async (payload) => {
        const { id } = await save(payload);
        const done = early.delete(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve));
        return { id, done };
      },
      onProgress: async (listener) => {
        queue.on('job progress', (jobId, progress) => listener(jobId, Number(progress)));
      },
      close: () => queue.close(),
    };
  },

  async worker(target: Target, spec: WorkerSpec, probe: TaskProbe): Promise<BenchWorker> {
    const queue = new BeeQueue<Payload>(target.queue, {
      redis: { host: target.host, port: target.port },
      getEvents: false,
      sendEvents: spec.events ?? true,
      removeOnSuccess: spec.fireAndForget,
      ...(spec.delayed ? { activateDelayedJobs: true } : {}),
    });
    queue.on('error', (err) => console.error('bee-queue worker error', err));
    await queue.ready();
    return {
      run: () => {
        queue.process(spec.concurrency, async (job: BeeQueue.Job<Payload>) => {
          probe.started();
          if (!job.data.u) return;
          // reportProgress returns the PUBLISH's promise although its typings say void.
          await progressLoop(job.data, job.id, probe, async (value) => {
            const sent: unknown = job.reportProgress(value);
            await sent;
          });
        });
      },
      stop: () => queue.close(),
    };
  },

  async remaining(admin: Redis, target: Target): Promise<number> {
    const [[, waiting], [, active]] = (await admin
      .pipeline()
      .llen(`bq:${target.queue}:waiting`)
      .llen(`bq:${target.queue}:active`)
      .exec()) as [[Error | null, number], [Error | null, number]];
    return waiting + active;
  },
  async scheduled(admin: Redis, target: Target): Promise<number> {
    return admin.zcard(`bq:${target.queue}:delayed`);
  },

  async watchers(target: Target): Promise<Watchers> {
    const queue = new BeeQueue<Payload>(target.queue, { redis: { host: target.host, port: target.port }, isWorker: false, getEvents: true, storeJobs: false });
    // bee-queue has per-job events only for jobs this queue object created; watching jobs by id
    // goes through the queue-level event, here dispatched by id through a map.
    const listeners = new Map<string, (value: number) => void>();
    queue.on('job progress', (jobId, progress) => listeners.get(jobId)?.(Number(progress)));
    await queue.ready();
    return {
      watch: async (ids, listener) => {
        for (const id of ids) listeners.set(id, (value) => listener(id, value));
      },
      close: () => queue.close(),
    };
  },
};
