/** Messages between the bench (parent) and its worker agent (child process). */
import type { SystemId, Target, WorkerSpec } from './adapter';

export type AgentRequest =
  | { id: number; op: 'start'; system: SystemId; target: Target; spec: WorkerSpec; run: boolean }
  | { id: number; op: 'run' }
  | { id: number; op: 'report'; gc?: boolean }
  | { id: number; op: 'stop' }
  | { id: number; op: 'watch'; system: SystemId; target: Target; ids: string[]; pattern: boolean }
  | { id: number; op: 'unwatch' }
  | { id: number; op: 'exit' };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request before the client numbers it. */
export type AgentCommand = DistributiveOmit<AgentRequest, 'id'>;

/** What the worker process saw; times are nowMs() stamps (CLOCK_MONOTONIC, comparable across processes). */
export interface WorkerReport {
  /** When `run()` was called. */
  runAt: number | null;
  /** When the first task started. */
  firstTaskAt: number | null;
  /** How many tasks started. */
  tasks: number;
  /** The nowMs() stamp of every WorkerSpec.markEvery-th task's start (empty without markEvery). */
  marks: number[];
  /** Per job id: the stamp taken just before each progress update (value = index + 1). */
  stamps: Record<string, number[]>;
  /** CPU time (µs, user + system) the worker process used since `run()`, up to this report. */
  cpuUs: number;
  /** The V8 heap in use (bytes), after a full GC when the report asked for one. */
  heap: number;
}

/** What a watching process saw (the scale scenario's many watchers). */
export interface WatchReport {
  /** The process's RSS and V8 heap in use (bytes) with the first half of the watches live, and with every one of them, after a full GC. */
  half: { rss: number; heap: number };
  after: { rss: number; heap: number };
  /** CPU time (µs, user + system) the process used from every watch live to `unwatch`. */
  cpuUs: number;
  /** Progress events heard. */
  events: number;
  /** Per job id: each progress event heard, as value and nowMs() stamp, flattened ([v, at, v, at, …]). */
  arrivals: Record<string, number[]>;
}

export interface AgentReply {
  id: number;
  ok: boolean;
  error?: string;
  report?: WorkerReport;
  watch?: WatchReport;
}
