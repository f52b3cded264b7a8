/**
 * What else the machine was doing while a measurement ran: the CPU time of processes that are
 * not the benchmark's (the bench, its worker agent, its redis-server), the CPU time stolen by
 * the hypervisor, and the load average. Read from /proc; elsewhere every figure is NaN.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** A reading of the CPU counters (in clock ticks, summed over every CPU). */
export interface CpuReading {
  total: number;
  idle: number;
  steal: number;
  /** CPU time of the benchmark's own processes. */
  ours: number;
}

/** The machine while one measurement ran. */
export interface MachineLoad {
  /** One-minute load average at the end (it includes the benchmark's own processes). */
  load1: number;
  /** Share (%) of all CPU time that went to other processes. */
  othersPct: number;
  /** Share (%) of all CPU time the hypervisor took. */
  stealPct: number;
}

/** Others above this share, or steal above STEAL_BUSY_PCT, mark a measurement as taken on a busy machine. */
export const OTHERS_BUSY_PCT = 15;
export const STEAL_BUSY_PCT = 5;

function ticksOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime, stime, cutime, cstime are 14–17.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  } catch {
    return 0;
  }
}

/** Reads the counters now; `pids` are the benchmark's own processes. */
export function readCpu(pids: readonly (number | undefined)[]): CpuReading {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const ours = pids.reduce<number>((sum, pid) => sum + (pid ? ticksOf(pid) : 0), 0);
    return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal, ours };
  } catch {
    return { total: NaN, idle: NaN, steal: NaN, ours: NaN };
  }
}

/** The machine between two readings. */
export function loadBetween(before: CpuReading, after: CpuReading): MachineLoad {
  const total = after.total - before.total;
  const busy = total - (after.idle - before.idle);
  const steal = after.steal - before.steal;
  const ours = after.ours - before.ours;
  const pct = (v: number): number => (total > 0 ? Math.max(0, (100 * v) / total) : NaN);
  return { load1: loadavg()[0], othersPct: pct(busy - steal - ours), stealPct: pct(steal) };
}

/** True when others or the hypervisor took enough of the machine to bend the figures. */
export function wasBusy(load: MachineLoad): boolean {
  return load.othersPct > OTHERS_BUSY_PCT || load.stealPct > STEAL_BUSY_PCT;
}
