/**
 * Faults of the store itself: an outcome Redis refuses to take, and a Redis that stops answering
 * while a worker stops. Each on a private redis-server.
 */
import { Docket, RedisUnavailableError, Worker, type Execution } from '../../lib';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';

describe('an outcome Redis refuses', () => {
  let server: RedisServer;
  beforeAll(async () => {
    // The smallest limit Redis allows: a 2 MB result is more than it takes in one argument.
    server = await RedisServer.start({ extraArgs: ['--proto-max-bulk-len', '1mb'] });
  });
  afterAll(() => server.stop());

  it('is recorded FAILED saying why, without holding up the outcomes of other runs, and stop() returns', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName(), url: server.url, logger });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(async function huge(): Promise<string> {
      await gate;
      return 'x'.repeat(2 * 1024 * 1024);
    });
    docket.register(async function small(n: number): Promise<number> {
      await gate;
      return n;
    });
    const worker = new Worker(docket, { concurrency: 10 });
    const run = worker.runForever();
    try {
      const bad = await docket.add('huge')();
      const good: Execution[] = [];
      for (let n = 0; n < 5; n++) good.push(await docket.add('small')(n));
      await waitUntil(() => worker.activeCount === 6, 'all six run at once, so their outcomes go out together');
      release();
      expect(await Promise.all(good.map((e) => e.getResult({ timeout: 20_000 })))).toEqual([0, 1, 2, 3, 4]);
      await expect(bad.getResult({ timeout: 20_000 })).rejects.toThrow(/OutcomeRefusedError: the store refused it \d+ times/);
      expect(logger.lines.some((l) => l.startsWith('ERROR') && l.includes(`${bad.key}`) && l.includes('recording it as FAILED'))).toBe(true);
      await worker.stop();
      await run;
      expect((await docket.snapshot()).streamLength).toBe(0);
    } finally {
      release();
      await worker.stop();
      await docket.close();
    }
  });
});

describe('a Redis that stops answering while a worker stops', () => {
  it('does not keep stop() waiting past its drain timeout', async () => {
    const server = await RedisServer.start();
    const docket = new Docket({ name: uniqueName(), url: server.url, logger: new MemoryLogger() });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(async function held(): Promise<string> {
      await gate;
      return 'held';
    });
    const worker = new Worker(docket);
    const run = worker.runForever();
    try {
      await docket.add('held')();
      await waitUntil(() => worker.activeCount === 1, 'the task runs');
      server.signal('SIGSTOP');
      // The task ends now, so its outcome must be written to a Redis that does not answer.
      release();
      // Without a bound this never comes back while Redis is paused (the test's timeout fails it).
      await worker.stop({ drainTimeout: 300 });
      await run;
      expect(worker.activeCount).toBe(0);
    } finally {
      release();
      server.signal('SIGCONT');
      await docket.close();
      await server.stop();
    }
  });
});

describe('a paused Redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    server.signal('SIGCONT');
    await server.stop();
  });

  it('fails adds, cancels, a first connect and a timed-out getResult() with RedisUnavailableError instead of hanging', async () => {
    const docket = new Docket({ name: uniqueName(), url: server.url, logger: new MemoryLogger(), commandTimeout: 300 });
    docket.register(async function idle(): Promise<void> {});
    const execution = await docket.add('idle')();
    server.signal('SIGSTOP');
    try {
      await expect(docket.add('idle')()).rejects.toThrow(RedisUnavailableError);
      await expect(docket.cancel(execution.key)).rejects.toThrow(/Command timed out/);
      await expect(execution.getResult({ timeout: 100 })).rejects.toThrow(RedisUnavailableError);
      const fresh = new Docket({ name: uniqueName(), url: server.url, logger: new MemoryLogger(), commandTimeout: 300 });
      await expect(fresh.connect()).rejects.toThrow(RedisUnavailableError);
      await fresh.close();
    } finally {
      server.signal('SIGCONT');
    }
    await expect(docket.cancel(execution.key)).resolves.toBe('cancelled');
    await docket.close();
  });

  it('ends runForever() when a worker is stopped while Redis is down, within its drain timeout', async () => {
    const server = await RedisServer.start();
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName(), url: server.url, logger });
    docket.register(async function idle(): Promise<void> {});
    const worker = new Worker(docket, { logger });
    let ended = false;
    const run = worker.runForever().then(() => (ended = true));
    try {
      await waitUntil(async () => (await docket.workers()).length === 1, 'the worker beats');
      await server.kill('SIGKILL');
      // Its blocking read and its claim now wait in ioredis's queue for a reconnect that the stop cancels.
      await waitUntil(() => logger.lines.some((l) => l.includes('Lost the blocking connection')), 'the worker noticed');
      await worker.stop({ drainTimeout: 300 });
      // Without failing what waits on a connection that was reconnecting, this never settles.
      await run;
      expect(ended).toBe(true);
      // A duty cut short by the stop is not reported as a failure to retry.
      expect(logger.lines.filter((l) => l.includes('trying again'))).toEqual([]);
    } finally {
      await docket.close();
      await server.stop();
    }
  });
});
