/**
 * 4. Progress latency: a task in the worker process (concurrency 1) reports progress 1..U,
 * `ms` apart, stamping the time just before each update; the producer process listens on a
 * connection of its own (docket `events$()`, BullMQ `QueueEvents` 'progress', bee-queue
 * 'job progress') and stamps each event's arrival. An update's latency is the time until the
 * first event carrying a value ≥ it arrives — so an update folded into a later, coalesced write
 * counts until that write is seen. The first job of each measurement is a warm-up.
 *
 * Two pacings: 1 ms apart (the anchor's), and 60 ms apart (each update alone: the bare path).
 *
 * Not like for like against bee-queue: docket and BullMQ store each update (docket in one
 * script that also publishes it, BullMQ in the job hash and its events stream), while bee-queue's
 * reportProgress is a bare PUBLISH that stores nothing. The rows say so.
 */
import type { Submitted } from '../adapter';
import { AT_MOST_BULLMQ, type Cell, type Scenario } from '../scenario';
import { nowMs, sleep, summarize } from '../stats';

interface Arrival {
  value: number;
  at: number;
}


function cell(id: string, title: string, jobs: number, updates: number, pacingMs: number, withTarget: boolean): Cell {
  return {
    id,
    title,
    metrics: [
      {
        id: `${id}-p50`,
        label: `${title}, p50 (ms; bee-queue stores no progress: not like for like)`,
        unit: 'ms',
        better: 'lower',
        digits: 3,
        target: withTarget ? AT_MOST_BULLMQ : undefined,
      },
      { id: `${id}-p99`, label: `${title}, p99 (ms; bee-queue stores no progress)`, unit: 'ms', better: 'lower', digits: 3 },
    ],
    async measure(env, system) {
      const { agent, target } = env;
      await agent.startWorker(system.id, target, { concurrency: 1, fireAndForget: false }, true);
      let report;
      const arrivals = new Map<string, Arrival[]>();
      const measured: string[] = [];
      try {
        const producer = await system.producer(target, { fireAndForget: false, observe: true });
        try {
          await producer.onProgress((jobId, value) => {
            const at = nowMs();
            let list = arrivals.get(jobId);
            if (!list) arrivals.set(jobId, (list = []));
            list.push({ value, at });
          });
          // The warm-up runs as many updates as a measured job (a few for the sparse pacing), so
          // that every library's progress path is compiled before anything is measured.
          const warmup = await producer.submit({ i: -1, t: Date.now(), u: pacingMs > 10 ? 2 : updates, ms: pacingMs });
          await warmup.done;
          const submitted: Submitted[] = [];
          for (let i = 0; i < jobs; i++) submitted.push(await producer.submit({ i, t: Date.now(), u: updates, ms: pacingMs }));
          await Promise.all(submitted.map((s) => s.done));
          measured.push(...submitted.map((s) => s.id));
          await sleep(50); // trailing events
        } finally {
          await producer.close();
        }
      } finally {
        report = await agent.stopWorker();
      }
      const samples: number[] = [];
      let missing = 0;
      for (const jobId of measured) {
        const stamps = report.stamps[jobId] ?? [];
        const seen = arrivals.get(jobId) ?? [];
        if (stamps.length !== updates) missing += updates - stamps.length;
        stamps.forEach((stamp, index) => {
          const first = seen.find((a) => a.value >= index + 1);
          if (first) samples.push(first.at - stamp);
          else missing++;
        });
      }
      const summary = summarize(samples);
      const events = measured.reduce((n, jobId) => n + (arrivals.get(jobId)?.length ?? 0), 0);
      return {
        values: { [`${id}-p50`]: summary.p50, [`${id}-p99`]: summary.p99 },
        details: { ...summary, missing, events, updates: measured.length * updates },
      };
    },
  };
}

export const progressScenario: Scenario = {
  id: 'progress',
  title: 'Progress latency',
  cells: (s) => [
    cell('progress', `Progress update → event, ${s.progressPacingMs} ms apart`, s.progressJobs, s.progressUpdates, s.progressPacingMs, true),
    cell('progress-sparse', `Progress update → event, ${s.sparsePacingMs} ms apart`, s.sparseJobs, s.sparseUpdates, s.sparsePacingMs, false),
  ],
};
