/**
 * The two Redis clients side by side (README, Performance): one awaited command at a time, the
 * same commands on one private redis-server, through ioredis (docket's and BullMQ's client) and
 * through node-redis 3 (bee-queue's), with each client's process CPU per command. What it
 * shows bounds every one-at-a-time figure: the round trip's client half.
 *
 *   npx ts-node --transpile-only test/bench/clients.ts [--rounds 3]
 */
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { RedisServer } from '../support/redis-server';

const N = 20_000;

/** The callback API of node-redis 3, as far as this harness uses it. */
interface NodeRedis3 {
  evalsha(...args: [...(string | number)[], (err: Error | null, reply: unknown) => void]): void;
  set(...args: [string, string, (err: Error | null, reply: unknown) => void]): void;
  once(event: 'ready', listener: () => void): void;
  quit(): void;
}

/** bee-queue's own copy of node-redis (it pins major 3; the project depends on no other). */
function nodeRedis3(url: string): NodeRedis3 {
  const path = require.resolve('redis', { paths: [require.resolve('bee-queue')] });
  const { createClient } = require(path) as { createClient(url: string): NodeRedis3 };
  return createClient(url);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
  const server = await RedisServer.start();
  const io = new Redis(server.url);
  const nr = nodeRedis3(server.url);
  await new Promise<void>((resolve) => nr.once('ready', resolve));
  try {
    const sha = (await io.script('LOAD', 'return 1')) as string;
    const callback = (resolve: (v: unknown) => void, reject: (e: Error) => void) => (err: Error | null, reply: unknown) =>
      err ? reject(err) : resolve(reply);
    const cases: Record<string, (i: number) => Promise<unknown>> = {
      'ioredis EVALSHA (return 1)': () => io.evalsha(sha, 1, 'k', 'a', 'b'),
      'node-redis 3 EVALSHA (return 1)': () => new Promise((resolve, reject) => nr.evalsha(sha, 1, 'k', 'a', 'b', callback(resolve, reject))),
      'ioredis SET': (i) => io.set('k', String(i)),
      'node-redis 3 SET': (i) => new Promise((resolve, reject) => nr.set('k', String(i), callback(resolve, reject))),
    };
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (const [label, once] of Object.entries(cases)) {
        for (let i = 0; i < 2_000; i++) await once(i);
        const cpu = process.cpuUsage();
        const start = performance.now();
        for (let i = 0; i < N; i++) await once(i);
        const rate = Math.round((N / (performance.now() - start)) * 1000);
        const used = process.cpuUsage(cpu);
        console.log(`round ${round}  ${label.padEnd(32)} ${rate.toLocaleString('en-US').padStart(7)}/s   client CPU ${((used.user + used.system) / N).toFixed(1)} µs per command`);
      }
    }
  } finally {
    io.disconnect();
    nr.quit();
    await server.stop();
  }
}

void main();
