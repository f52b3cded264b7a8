/**
 * The worker agent: a child process that hosts one system's worker at a time, so that every
 * system's worker runs in a process of its own, apart from the producer (the bench process).
 * Driven over IPC by agent-client.ts; it stays up for the whole run so that module loading and
 * ts-node compilation are paid once.
 */
import type { AgentReply, AgentRequest, WatchReport, WorkerReport } from './agent-protocol';
import type { BenchWorker, TaskProbe, Watchers } from './adapter';
import { ADAPTERS } from './adapters';
import { nowMs } from './stats';

let worker: BenchWorker | undefined;
let report: WorkerReport = fresh();
let cpuAtRun: NodeJS.CpuUsage | undefined;
let markEvery = 0;

function fresh(): WorkerReport {
  return { runAt: null, firstTaskAt: null, tasks: 0, marks: [], stamps: {}, cpuUs: 0, heap: 0 };
}

function startRun(): void {
  report.runAt = nowMs();
  cpuAtRun = process.cpuUsage();
}

/** The report with the CPU used since run() filled in. */
function current(): WorkerReport {
  if (cpuAtRun) {
    const used = process.cpuUsage(cpuAtRun);
    report.cpuUs = used.user + used.system;
  }
  return report;
}

/** The watcher of the many-watchers cell, with what it has heard. */
let watching: { watchers: Watchers; report: WatchReport; cpuAt: NodeJS.CpuUsage } | undefined;

/** RSS and heap in use after a full collection (the agent runs with --expose-gc). */
function memory(): { rss: number; heap: number } {
  global.gc?.();
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

const probe: TaskProbe = {
  started() {
    if (report.tasks++ === 0) report.firstTaskAt = nowMs();
    if (markEvery > 0 && report.tasks % markEvery === 0) report.marks.push(nowMs());
  },
  record(id, stamps) {
    report.stamps[id] = stamps;
  },
};

async function handle(request: AgentRequest): Promise<Omit<AgentReply, 'id' | 'ok'>> {
  switch (request.op) {
    case 'start': {
      if (worker) throw new Error('a worker is already running');
      report = fresh();
      markEvery = request.spec.markEvery ?? 0;
      worker = await ADAPTERS[request.system].worker(request.target, request.spec, probe);
      if (request.run) {
        startRun();
        worker.run();
      }
      return {};
    }
    case 'run': {
      if (!worker) throw new Error('no worker');
      startRun();
      worker.run();
      return {};
    }
    case 'report':
      if (request.gc) global.gc?.();
      return { report: { ...current(), heap: process.memoryUsage().heapUsed } };
    case 'stop': {
      const stopping = worker;
      worker = undefined;
      const last = current();
      cpuAtRun = undefined;
      await stopping?.stop();
      return { report: last };
    }
    case 'watch': {
      if (watching) throw new Error('already watching');
      const watchers = await ADAPTERS[request.system].watchers(request.target, request.pattern);
      // What the bench records is made before any watch, so that it is not counted as the watches'.
      const arrivals: Record<string, number[]> = {};
      for (const id of request.ids) arrivals[id] = [];
      const unread = { rss: 0, heap: 0 };
      const report: WatchReport = { half: unread, after: unread, cpuUs: 0, events: 0, arrivals };
      const heard = (id: string, value: number): void => {
        const list = arrivals[id];
        if (!list) return;
        list.push(value, nowMs());
        report.events++;
      };
      // Half, then the rest: what the second half adds is what a watch holds, whatever the
      // process's start left in its RSS (which the first half's collections give back).
      const middle = Math.floor(request.ids.length / 2);
      await watchers.watch(request.ids.slice(0, middle), heard);
      report.half = memory();
      await watchers.watch(request.ids.slice(middle), heard);
      report.after = memory();
      watching = { watchers, report, cpuAt: process.cpuUsage() };
      return { watch: { ...report, arrivals: {} } };
    }
    case 'unwatch': {
      const done = watching;
      if (!done) throw new Error('not watching');
      watching = undefined;
      const used = process.cpuUsage(done.cpuAt);
      done.report.cpuUs = used.user + used.system;
      await done.watchers.close();
      return { watch: done.report };
    }
    case 'exit':
      await worker?.stop();
      await watching?.watchers.close();
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (request: AgentRequest) => {
  handle(request).then(
    (body) => process.send?.({ id: request.id, ok: true, ...body } satisfies AgentReply),
    (err: unknown) => process.send?.({ id: request.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies AgentReply),
  );
});
process.on('disconnect', () => process.exit(0));
