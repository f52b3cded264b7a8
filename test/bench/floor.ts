/**
 * The floor under one awaited add at a time (README, Performance): on a private redis-server,
 * sequential round trips of a plain SET, of the schedule script sent raw through ioredis, and of
 * `docket.add`, each 20,000 times after a warm-up, with the script's share of Redis time from
 * INFO commandstats.
 *
 *   npx ts-node --transpile-only test/bench/floor.ts
 */
import Redis from 'ioredis';
import { Docket } from '../../lib/core/producer/docket';
import { scheduleScript } from '../../lib/core/redis/scripts/schedule.script';
import { RedisServer } from '../support/redis-server';

const N = 20_000;
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function rate(label: string, once: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2_000; i++) await once(-i - 1);
  const start = performance.now();
  for (let i = 0; i < N; i++) await once(i);
  console.log(`${label.padEnd(38)} ${Math.round((N / (performance.now() - start)) * 1000).toLocaleString('en-US')}/s`);
}

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  const docket = new Docket({ name: 'floor', url: server.url, logger: silent });
  async function noop(): Promise<void> {}
  docket.register(noop);
  try {
    await docket.connect();
    const sha = (await redis.script('LOAD', scheduleScript.lua)) as string;
    const k = docket.keys;
    await rate('SET', () => redis.set('floor', 'x'));
    await redis.config('RESETSTAT');
    await rate('schedule script, raw EVALSHA', (i) => {
      const key = `raw-${i}`;
      const now = Date.now();
      return redis.evalsha(sha, 3, k.stream, k.queue, k.runs(key), now, k.events(''), k.group, key, 'new', now, 'noop', '[]', '', `raw-${i}`);
    });
    const stats = (await redis.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_evalsha'));
    console.log(`  Redis time per script call: ${stats?.match(/usec_per_call=([\d.]+)/)?.[1]} µs`);
    await rate('docket.add', () => docket.add(noop)());
  } finally {
    redis.disconnect();
    await docket.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
