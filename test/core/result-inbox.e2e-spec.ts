import Redis from 'ioredis';
import { ExecutionNotFoundError, TimeoutError, Worker, type Docket } from '../../lib';
import { dropDocket, redisUrl, testDocket, waitUntil, itOnRedis } from '../support/docket-test';

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

  itOnRedis('waits on many results with one subscription, and gives each its own value', async () => {
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

  it('a second wait on a replaced run still gets the replacing run’s result', async () => {
    const old = await docket.add('echo', { key: 'twice', delay: 600_000 })('old');
    const first = expect(old.getResult({ timeout: 200 })).rejects.toThrow(TimeoutError);
    // Not due for a long time: the first wait ends by its timeout, whatever the machine's speed.
    await docket.replace('echo', { key: 'twice', delay: 600_000 })('new');
    await first;
    await docket.replace('echo', { key: 'twice' })('newer');
    await expect(old.getResult({ timeout: 10_000 })).resolves.toBe('newer');
  });

  itOnRedis('an idle worker keeps taking work after a message it was delivered is replaced before its claim', async () => {
    const single = testDocket();
    single.register(async function echo(value: string): Promise<string> {
      return value;
    });
    const admin = new Redis(redisUrl());
    const lone = new Worker(single, { concurrency: 1, name: 'lone' });
    let lonely: Promise<void> | undefined;
    try {
      // Where a replace lands between the worker's read and its claim: delivered, then deleted.
      await single.add('echo', { key: 'swapped' })('first');
      await admin.xgroup('CREATE', single.keys.stream, single.keys.group, '0', 'MKSTREAM');
      await admin.xreadgroup('GROUP', single.keys.group, 'lone', 'COUNT', 1, 'STREAMS', single.keys.stream, '>');
      await single.replace('echo', { key: 'swapped', delay: 600_000 })('second');
      lonely = lone.runForever();
      const blockedWorker = async (): Promise<boolean> =>
        ((await admin.client('LIST')) as string)
          .split('\n')
          .some((line) => line.includes(`name=docket:blocking:${process.pid}`) && / flags=b /.test(line));
      await waitUntil(blockedWorker, 'the worker waits on the stream');
      const after = await single.add('echo')('after');
      expect(await after.getResult({ timeout: 10_000 })).toBe('after');
    } finally {
      admin.disconnect();
      await lone.stop({ drainTimeout: 0 });
      await lonely;
      await single.close();
      await dropDocket(single);
    }
  });
});

describe('the result inbox, once it has dropped outcomes nobody asked for', () => {
  it('says an outcome is gone instead of waiting for it', async () => {
    const docket = testDocket({ executionTtl: 0 });
    docket.register(async function quick(n: number): Promise<number> {
      return n;
    });
    const worker = new Worker(docket, { concurrency: 50 });
    const running = worker.runForever();
    try {
      await waitUntil(() => docket.resultInbox().mark() !== undefined, 'the result inbox is live');
      const first = await docket.add('quick')(1);
      // More outcomes than the inbox keeps arrive before anyone asks for the first.
      for (let i = 0; i < 10_100; i += 1_000) {
        await docket.addMany(Array.from({ length: Math.min(1_000, 10_100 - i) }, (_, j) => docket.call('quick')(i + j)));
      }
      await waitUntil(async () => (await docket.snapshot()).streamLength === 0, 'every task ran', 60_000);
      await expect(first.getResult({ timeout: 10_000 })).rejects.toThrow(ExecutionNotFoundError);
    } finally {
      await worker.stop({ drainTimeout: 0 });
      await running;
      await docket.close();
      await dropDocket(docket);
    }
  });
});
