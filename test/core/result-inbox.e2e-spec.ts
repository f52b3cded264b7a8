import Redis from 'ioredis';
import { Worker, type Docket } from '../../lib';
import { dropDocket, redisUrl, testDocket, waitUntil } from '../support/docket-test';

/**
 * getResult() of work this docket added: once the docket's result inbox is open, outcomes come
 * over that one channel instead of a subscription per execution.
 */
describe('the result inbox', () => {
  let docket: Docket;
  let worker: Worker;
  let running: Promise<void>;
  let release: () => void;
  let gate: Promise<void>;

  beforeEach(async () => {
    gate = new Promise<void>((resolve) => (release = resolve));
    docket = testDocket();
    docket.register(async function echo(value: string): Promise<string> {
      return value;
    });
    docket.register(async function gated(value: number): Promise<number> {
      await gate;
      return value * 2;
    });
    worker = new Worker(docket, { concurrency: 50 });
    running = worker.runForever();
    await waitUntil(() => docket.resultInbox().mark() !== undefined, 'the result inbox is live');
  });
  afterEach(async () => {
    release();
    await worker.stop({ drainTimeout: 0 });
    await running;
    await docket.close();
    await dropDocket(docket);
  });

  it('waits on many results with one subscription, and gives each its own value', async () => {
    const executions = await Promise.all(Array.from({ length: 20 }, (_, i) => docket.add('gated')(i)));
    const results = Promise.all(executions.map((e) => e.getResult()));
    const admin = new Redis(redisUrl());
    try {
      const channels = (await admin.pubsub('CHANNELS', `${docket.keys.prefix}:*`)) as string[];
      expect(channels.filter((c) => c.includes(':events:'))).toEqual([]);
      expect(channels.filter((c) => c.includes(':inbox:'))).toHaveLength(1);
    } finally {
      admin.disconnect();
    }
    release();
    expect(await results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('gives a key added again after it finished the second run’s result, not the first’s', async () => {
    const first = await docket.add('echo', { key: 'again' })('first');
    await waitUntil(async () => (await first.sync()).state === 'completed', 'the first run finished');
    const second = await docket.add('echo', { key: 'again' })('second');
    expect(await second.getResult({ timeout: 10_000 })).toBe('second');
    expect(await first.getResult()).toBe('first');
  });

  it('a waiter whose run is replaced gets the replacing run’s result', async () => {
    const old = await docket.add('echo', { key: 'swap', delay: 600_000 })('old');
    const waiting = old.getResult({ timeout: 10_000 });
    await docket.replace('echo', { key: 'swap' })('new');
    await expect(waiting).resolves.toBe('new');
  });
});
