/** Workloads shared by several scenarios. */
import type { Producer, SystemAdapter } from './adapter';
import type { WorkerReport } from './agent-protocol';
import type { Env } from './scenario';
import { nowMs } from './stats';
import { payload } from './tasks';

/** Adds `count` no-op tasks with the batch API, 1,000 per call. */
export async function preload(producer: Producer, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i += 1000) {
    const size = Math.min(1000, from + count - i);
    await producer.addBulk(Array.from({ length: size }, (_, j) => payload(i + j)));
  }
}

export interface DrainOptions {
  count: number;
  concurrency: number;
  fireAndForget: boolean;
  /** docket only: its default logger instead of a silent one. */
  logging?: 'silent' | 'default';
  /** Runs after the worker is constructed and before the preload (e.g. to open a stats window). */
  beforePreload?: () => Promise<void>;
  /** Runs once every completion is recorded, before the worker stops. */
  whenDrained?: () => Promise<void>;
}

export interface DrainResult {
  /** From the first task's start (worker process) to the last completion seen in Redis. */
  ms: number;
  /** From `run()` to the first task's start. */
  startupMs: number;
  /** CPU µs per task: the worker process's, and redis-server's, from run() to the end. */
  workerCpuUs: number;
  redisCpuUs: number;
  report: WorkerReport;
}

/**
 * Preloads `count` tasks, then lets a worker in the agent process drain them. The end is when
 * Redis shows nothing left (polled every 2 ms from this process).
 */
export async function drain(env: Env, system: SystemAdapter, options: DrainOptions): Promise<DrainResult> {
  const { agent, admin, target } = env;
  // Nobody listens for the jobs' events in a drain.
  const spec = { concurrency: options.concurrency, fireAndForget: options.fireAndForget, events: false, logging: options.logging };
  await agent.startWorker(system.id, target, spec, false);
  try {
    const producer = await system.producer(target, { fireAndForget: options.fireAndForget, observe: false });
    await options.beforePreload?.();
    try {
      await preload(producer, options.count);
    } finally {
      await producer.close();
    }
    const queued = await system.remaining(admin.redis, target);
    if (queued !== options.count) throw new Error(`${system.id}: expected ${options.count} queued, found ${queued}`);
    const redisCpu0 = await admin.serverCpuSeconds();
    await agent.run();
    await admin.waitFor(async () => (await system.remaining(admin.redis, target)) === 0);
    const end = nowMs();
    const redisCpu1 = await admin.serverCpuSeconds();
    await options.whenDrained?.();
    const report = await agent.stopWorker();
    if (report.firstTaskAt === null || report.runAt === null) throw new Error(`${system.id}: no task ran`);
    if (report.tasks < options.count) throw new Error(`${system.id}: only ${report.tasks} of ${options.count} tasks ran`);
    return {
      ms: end - report.firstTaskAt,
      startupMs: report.firstTaskAt - report.runAt,
      workerCpuUs: report.cpuUs / options.count,
      redisCpuUs: ((redisCpu1 - redisCpu0) * 1e6) / options.count,
      report,
    };
  } catch (err) {
    await agent.stopWorker().catch(() => undefined);
    throw err;
  }
}
