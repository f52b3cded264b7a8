/**
 * Where Redis spends its time on an idle add → result (README, Performance): tasks are added one
 * at a time and their results awaited, as in the bench's end-to-end scenario, with SLOWLOG
 * recording every command (threshold 0). Prints, per task, each command the clients sent and,
 * under each script, the commands it ran (SLOWLOG logs those too, with no client address).
 *
 *   npx ts-node --transpile-only test/bench/redis-time.ts --system docket [--tasks 1000]
 *   npx ts-node --transpile-only test/bench/redis-time.ts --system bee-queue
 *
 * It starts a private redis-server and runs the worker in a child process, like the bench.
 * Logging every command costs Redis a little: compare systems with this tool, not with the
 * bench's figures.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { cancelScript } from '../../lib/core/redis/scripts/cancel.script';
import { claimNextScript, claimScript } from '../../lib/core/redis/scripts/claim.script';
import { completeScript } from '../../lib/core/redis/scripts/complete.script';
import { progressScript } from '../../lib/core/redis/scripts/progress.script';
import { scheduleScript } from '../../lib/core/redis/scripts/schedule.script';
import type { ScriptDefinition } from '../../lib/core/redis/scripts/script';
import { streamDueScript } from '../../lib/core/redis/scripts/stream-due.script';
import { RedisServer } from '../support/redis-server';
import { SYSTEM_IDS, type SystemId, type Target } from './adapter';
import { ADAPTERS } from './adapters';

/** [id, unix time, µs, arguments, client address, client name], as SLOWLOG GET answers. */
type SlowlogEntry = [number, number, number, string[], string, string];

const NO_PROBE = { started: () => undefined, record: () => undefined };

async function workerProcess(system: SystemId, target: Target): Promise<void> {
  const worker = await ADAPTERS[system].worker(target, { concurrency: 10, fireAndForget: false }, NO_PROBE);
  worker.run();
  process.send?.('ready');
}

/** docket's scripts by the SHA1 EVALSHA names them by; other systems' scripts show as a SHA prefix. */
function scriptNames(): Map<string, string> {
  const scripts: ScriptDefinition[] = [scheduleScript, claimScript, claimNextScript, completeScript, cancelScript, progressScript, streamDueScript];
  return new Map(scripts.map((s) => [createHash('sha1').update(s.lua).digest('hex'), s.name]));
}

async function producerProcess(system: SystemId, tasks: number): Promise<void> {
  const server = await RedisServer.start();
  const target: Target = { host: '127.0.0.1', port: server.port, queue: 'redistime' };
  const child = fork(__filename, ['--role', 'worker', '--system', system, '--port', String(server.port)], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  await new Promise((resolve) => child.once('message', resolve));
  const admin = new Redis(server.port);
  const producer = await ADAPTERS[system].producer(target, { fireAndForget: false, observe: true });
  const run = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await (await producer.submit({ i, t: Date.now() })).done;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    await run(Math.min(200, tasks));
    await admin.config('SET', 'slowlog-max-len', String(tasks * 150));
    await admin.config('SET', 'slowlog-log-slower-than', '0');
    await admin.slowlog('RESET');
    await run(tasks);
    await admin.config('SET', 'slowlog-log-slower-than', '10000');
    const log = (await admin.slowlog('GET', tasks * 150)) as SlowlogEntry[];
    report(system, tasks, log.reverse());
  } finally {
    child.kill();
    await producer.close();
    admin.disconnect();
    await server.stop();
  }
}

/**
 * SLOWLOG logs a script's commands before the script itself (each is logged when it ends): the
 * commands with no client address are the next client command's.
 */
function report(system: SystemId, tasks: number, log: SlowlogEntry[]): void {
  const names = scriptNames();
  const sent = new Map<string, { calls: number; us: number; inner: Map<string, { calls: number; us: number }> }>();
  let inner: [string, number][] = [];
  for (const [, , us, args, addr] of log) {
    let name = args[0].toLowerCase();
    if (addr === '?:0') {
      inner.push([name, us]);
      continue;
    }
    if (name === 'slowlog' || name === 'config') continue;
    if (name === 'evalsha') name = `evalsha ${names.get(args[1]) ?? args[1].slice(0, 8)}`;
    const entry = sent.get(name) ?? { calls: 0, us: 0, inner: new Map() };
    entry.calls++;
    entry.us += us;
    for (const [command, commandUs] of inner) {
      const nested = entry.inner.get(command) ?? { calls: 0, us: 0 };
      nested.calls++;
      nested.us += commandUs;
      entry.inner.set(command, nested);
    }
    inner = [];
    sent.set(name, entry);
  }
  const rows = [...sent.entries()].sort((a, b) => b[1].us - a[1].us);
  const total = rows.reduce((sum, [, e]) => sum + e.us, 0);
  console.log(`${system}: ${tasks} tasks; Redis µs per task by command the clients sent, and inside each script`);
  const line = (label: string, calls: number, us: number): string =>
    `  ${label.padEnd(34)} ${(calls / tasks).toFixed(2).padStart(6)} per task  ${(us / calls).toFixed(1).padStart(6)} µs each  ${(us / tasks).toFixed(1).padStart(6)} µs per task`;
  for (const [name, e] of rows) {
    if (e.us / tasks < 0.05) continue;
    console.log(line(name, e.calls, e.us));
    for (const [command, n] of [...e.inner.entries()].sort((a, b) => b[1].us - a[1].us)) console.log(line(`  └ ${command}`, n.calls, n.us));
  }
  console.log(`  ${'total'.padEnd(34)} ${' '.repeat(37)}${(total / tasks).toFixed(1).padStart(6)} µs per task`);
}

function main(): Promise<void> {
  const { values } = parseArgs({
    options: { system: { type: 'string', default: 'docket' }, tasks: { type: 'string', default: '1000' }, role: { type: 'string' }, port: { type: 'string' } },
    strict: true,
  });
  const system = values.system as SystemId;
  if (!SYSTEM_IDS.includes(system)) throw new Error(`unknown system "${values.system}"; known: ${SYSTEM_IDS.join(', ')}`);
  if (values.role === 'worker') return workerProcess(system, { host: '127.0.0.1', port: Number(values.port), queue: 'redistime' });
  return producerProcess(system, Number(values.tasks));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
