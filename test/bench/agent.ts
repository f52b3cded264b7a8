/**
 * The worker agent: a child process that hosts one system's worker at a time, so that every
 * system's worker runs in a process of its own, apart from the producer (the bench process).
 * Driven over IPC by agent-client.ts; it stays up for the whole run so that module loading and
 * ts-node compilation are paid once.
 */
import type { AgentReply, AgentRequest, WorkerReport } from './agent-protocol';
import type { BenchWorker, TaskProbe } from './adapter';
import { ADAPTERS } from './adapters';
import { nowMs } from './stats';

let worker: BenchWorker | undefined;
let report: WorkerReport = fresh();
let cpuAtRun: NodeJS.CpuUsage | undefined;

function fresh(): WorkerReport {
  return { runAt: null, firstTaskAt: null, tasks: 0, stamps: {}, cpuUs: 0 };
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

const probe: TaskProbe = {
  started() {
    if (report.tasks++ === 0) report.firstTaskAt = nowMs();
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
      return { report: current() };
    case 'stop': {
      const stopping = worker;
      worker = undefined;
      const last = current();
      cpuAtRun = undefined;
      await stopping?.stop();
      return { report: last };
    }
    case 'exit':
      await worker?.stop();
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
