/**
 * An automatic perpetual task on a fleet of three worker processes, through a worker SIGKILLed
 * in the middle of a run and a restart of Redis (with its append-only file, as in production):
 * one run per tick, but for the tick that was in flight in the killed worker, which runs again
 * (at-least-once); and the chain goes on after each fault.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../support/redis-server';
import { uniqueName, waitUntil } from '../support/docket-test';

const EVERY_MS = 250;

interface Line {
  kind: 'start' | 'end';
  due: number;
  pid: number;
}

describe('an automatic perpetual task on a fleet of worker processes', () => {
  let server: RedisServer;
  let dir: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    server = await RedisServer.start({ appendonly: true });
    dir = mkdtempSync(join(tmpdir(), 'docket-fleet-'));
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs once per tick through a SIGKILLed worker and a Redis restart, and keeps going after each', async () => {
    const log = join(dir, 'ticks.log');
    writeFileSync(log, '');
    const name = uniqueName('fleet');
    const spawnWorker = (): ChildProcess => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures', 'perpetual-worker.ts'), name, server.url, log, String(EVERY_MS)], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      workers.push(child);
      return child;
    };
    const lines = (): Line[] =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [kind, due, pid] = l.split(' ');
          return { kind: kind as Line['kind'], due: Number(due), pid: Number(pid) };
        });
    const ends = (): number => lines().filter((l) => l.kind === 'end').length;
    for (let i = 0; i < 3; i++) spawnWorker();

    await waitUntil(() => ends() >= 4, 'four ticks ran on the fleet', 30_000);

    // Kill the worker that is in the middle of a run.
    let inFlight: Line | undefined;
    await waitUntil(() => {
      const all = lines();
      inFlight = all.find((l) => l.kind === 'start' && !all.some((e) => e.kind === 'end' && e.due === l.due));
      return inFlight !== undefined;
    }, 'a run in flight');
    const victim = workers.find((w) => w.pid === inFlight!.pid)!;
    const killed = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await killed;
    const afterKill = ends();
    await waitUntil(() => ends() >= afterKill + 4, 'four more ticks after the kill', 30_000);

    await server.restart();
    const afterRestart = ends();
    await waitUntil(() => ends() >= afterRestart + 4, 'four more ticks after the restart of Redis', 30_000);

    const living = workers.filter((w) => w !== victim);
    await Promise.all(living.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.kill('SIGTERM')))));

    const starts = lines().filter((l) => l.kind === 'start');
    const byDue = new Map<number, number[]>();
    for (const s of starts) byDue.set(s.due, [...(byDue.get(s.due) ?? []), s.pid]);
    // One run per tick; the tick in flight in the killed worker ran again, on another worker.
    for (const [due, pids] of byDue) if (due !== inFlight!.due) expect({ due, runs: pids.length }).toEqual({ due, runs: 1 });
    const again = byDue.get(inFlight!.due)!;
    expect(again).toHaveLength(2);
    expect(again[0]).toBe(victim.pid);
    expect(again[1]).not.toBe(victim.pid);
    // One chain, never two (a second seed would interleave its ticks): each tick is due `every`
    // after the one before, or later when the one before ended late (after a fault, or on a
    // loaded machine).
    const dues = [...byDue.keys()].sort((a, b) => a - b);
    expect(dues.slice(1).map((d, i) => d - dues[i]).filter((gap) => gap < EVERY_MS)).toEqual([]);
  }, 120_000);
});
