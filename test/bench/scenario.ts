/** What a scenario is made of, and what it gets to measure with. */
import type { Admin } from './admin';
import type { AgentClient } from './agent-client';
import type { SystemAdapter, Target } from './adapter';
import type { TargetRule } from './verdict';

/** Sizes of every scenario; --quick uses smaller ones. */
export interface Sizes {
  enqueueWarmup: number;
  enqueueSeq: number;
  enqueueInFlight: number;
  enqueueBulk: number;
  drain: number;
  latencyWarmup: number;
  latency: number;
  progressJobs: number;
  progressUpdates: number;
  progressPacingMs: number;
  sparseJobs: number;
  sparseUpdates: number;
  sparsePacingMs: number;
  commandsPreloaded: number;
  commandsLive: number;
  memory: number;
  /** Tasks drained by the fleet cells of the scale scenario. */
  fleet: number;
  /** Tasks scheduled over the next hour by the backlog cell of the scale scenario. */
  backlog: number;
  /** Tasks due in the same second in the burst cell of the scale scenario (0: no burst cell). */
  burst: number;
  /** Live executions watched by one process in the many-watchers cell, and their progress pacing. */
  watchers: number;
  watchersPeriodMs: number;
  watchersUpdates: number;
  /**
   * The many-watchers cell in full: its watcher is a process of its own started for each
   * measurement (its RSS then owes nothing to an earlier one), and docket is also measured with
   * one pattern subscription.
   */
  watchersFull: boolean;
  /** How many of the running executions are watched in the crossover cell's runs (none: no such cell). */
  watchersCrossover: number[];
  /** Tasks through the soak, and how long their results are kept (ms). */
  soak: number;
  soakKeepMs: number;
}

export const FULL: Sizes = {
  enqueueWarmup: 1_000,
  enqueueSeq: 10_000,
  enqueueInFlight: 30_000,
  enqueueBulk: 50_000,
  drain: 20_000,
  latencyWarmup: 200,
  latency: 2_000,
  progressJobs: 20,
  progressUpdates: 100,
  progressPacingMs: 1,
  // 100 samples per round (was 50): a p99 of fewer means little.
  sparseJobs: 4,
  sparseUpdates: 25,
  sparsePacingMs: 60,
  commandsPreloaded: 2_000,
  commandsLive: 1_000,
  memory: 20_000,
  fleet: 40_000,
  backlog: 1_000_000,
  burst: 100_000,
  // 10,000 watched, each updated every 5 s: 2,000 events/s for 20 s.
  watchers: 10_000,
  watchersPeriodMs: 5_000,
  watchersUpdates: 4,
  watchersFull: true,
  watchersCrossover: [1_000, 5_000, 10_000],
  soak: 1_000_000,
  soakKeepMs: 60_000,
};

export const QUICK: Sizes = {
  enqueueWarmup: 300,
  enqueueSeq: 1_500,
  enqueueInFlight: 5_000,
  enqueueBulk: 10_000,
  drain: 2_000,
  latencyWarmup: 50,
  latency: 300,
  progressJobs: 3,
  progressUpdates: 30,
  progressPacingMs: 1,
  sparseJobs: 2,
  sparseUpdates: 10,
  sparsePacingMs: 60,
  commandsPreloaded: 500,
  commandsLive: 200,
  memory: 2_000,
  fleet: 4_000,
  backlog: 10_000,
  // A BullMQ burst measurement takes 5–14 s even at 5,000 (not investigated); with the burst,
  // --quick would pass a minute. The burst is a full run's.
  burst: 0,
  // The same 2,000 events/s from 300 watched, for 0.3 s.
  watchers: 300,
  watchersPeriodMs: 150,
  watchersUpdates: 2,
  watchersFull: false,
  watchersCrossover: [],
  soak: 10_000,
  soakKeepMs: 1_000,
};

/** Everything a measurement may use. The server is FLUSHALLed before each one. */
export interface Env {
  admin: Admin;
  agent: AgentClient;
  target: Target;
  sizes: Sizes;
  /** `n` worker processes besides `agent`, started on first use and kept for the rest of the run. */
  moreAgents(n: number): AgentClient[];
  /** A worker process started now for this measurement only; the bench exits it afterwards. */
  freshAgent(): AgentClient;
}

export type { TargetRule } from './verdict';

export interface MetricDef {
  id: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  digits: number;
  target?: TargetRule;
  /** A budget for our figure alone (e.g. DESIGN §5's round trips). */
  budget?: { text: string; check(ours: number): boolean };
}

export interface Measurement {
  values: Record<string, number>;
  details?: unknown;
}

/** One interleaved unit: measured for every system in every round. */
export interface Cell {
  id: string;
  title: string;
  /** A long cell: at most this many rounds, and no warm-up. */
  rounds?: number;
  /** How long one measurement may take (default: 4 minutes, 1 with --quick). */
  timeoutMs?: number;
  metrics: MetricDef[];
  measure(env: Env, system: SystemAdapter): Promise<Measurement>;
}

export interface Scenario {
  id: string;
  title: string;
  cells(sizes: Sizes): Cell[];
}

/** At least 1.5× BullMQ's and above bee-queue's (throughput). */
export const FASTER: TargetRule = {
  text: '≥1.5× BullMQ, > bee-queue',
  bounds: [
    { peer: 'bullmq', op: '>=', factor: 1.5 },
    { peer: 'bee-queue', op: '>', factor: 1 },
  ],
};

/** No more than BullMQ's (latency, memory). */
export const AT_MOST_BULLMQ: TargetRule = { text: '≤ BullMQ', bounds: [{ peer: 'bullmq', op: '<=', factor: 1 }] };

export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;
