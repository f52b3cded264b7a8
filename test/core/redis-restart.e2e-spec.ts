import { Docket, ExecutionCancelledError, ExecutionState, Worker, type ExecutionEvent } from '../../lib';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';
import Redis from 'ioredis';

describe('Redis restarting during a run', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start({ appendonly: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('completes every one of 1,000 tasks, with workers and subscribers reconnecting on their own', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('restart'), url: server.url, logger });
    const done = new Set<number>();
    docket.register(async function work(n: number): Promise<number> {
      await new Promise((resolve) => setImmediate(resolve));
      done.add(n);
      return n;
    });
    const executions = await docket.addMany(Array.from({ length: 1_000 }, (_, n) => docket.call('work', { key: `t${n}` })(n)));
    const last = executions[999];
    const states: string[] = [];
    const watching = new Promise<void>((resolve, reject) =>
      last.state$.subscribe({ next: (e) => states.push(e.state), complete: resolve, error: reject }),
    );
    const worker = new Worker(docket, { concurrency: 5, redeliveryTimeout: 1_000 });
    const run = worker.runForever();
    await waitUntil(() => done.size >= 100, 'a tenth of the tasks ran');
    await server.restart();
    await waitUntil(() => done.size === 1_000, 'every task ran', 60_000);
    await waitUntil(async () => (await docket.snapshot()).streamLength === 0, 'every outcome is recorded', 30_000);
    const records = await Promise.all(executions.map((e) => e.sync()));
    expect(records.filter((e) => e.state !== ExecutionState.COMPLETED).map((e) => e.key)).toEqual([]);
    await watching;
    expect(states.at(-1)).toBe(ExecutionState.COMPLETED);
    expect(logger.lines.some((l) => /Lost the \w+ connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0/.test(l))).toBe(true);
    expect(logger.lines.some((l) => /Reconnected the \w+ connection/.test(l))).toBe(true);
    await worker.stop();
    await run;
    await docket.close();
  });

  it('a subscriber resyncs from the record after a reconnect, so an event it missed still arrives', async () => {
    const docket = new Docket({ name: uniqueName('resync'), url: server.url, logger: new MemoryLogger() });
    const execution = await docket.add(async function later(): Promise<void> {}, { delay: 600_000 })();
    const seen: ExecutionEvent[] = [];
    const completed = new Promise<void>((resolve, reject) =>
      execution.subscribe().subscribe({ next: (e) => seen.push(e), complete: resolve, error: reject }),
    );
    await waitUntil(() => seen.length === 1, 'the snapshot arrived');
    await server.kill('SIGKILL');
    await waitUntil(() => docket.hub().status !== 'ready', 'the subscriber noticed');
    await server.launch();
    // Cancel through a connection of our own, most likely before the subscriber is back.
    const direct = new Docket({ name: docket.name, url: server.url, logger: new MemoryLogger() });
    expect(await direct.cancel(execution.key)).toBe('cancelled');
    await completed;
    expect(seen.map((e) => (e.type === 'state' ? e.state : e.type))).toEqual([ExecutionState.SCHEDULED, ExecutionState.CANCELLED]);
    await direct.close();
    await docket.close();
  });

  it('a result awaited through the result inbox still arrives when its event went out while the subscriber was away', async () => {
    const docket = new Docket({ name: uniqueName('inbox'), url: server.url, logger: new MemoryLogger() });
    await waitUntil(() => docket.resultInbox().mark() !== undefined, 'the result inbox is live');
    const execution = await docket.add(async function later(): Promise<void> {}, { delay: 600_000 })();
    const waiting = expect(execution.getResult({ timeout: 15_000 })).rejects.toThrow(ExecutionCancelledError);
    await server.kill('SIGKILL');
    await waitUntil(() => docket.hub().status !== 'ready', 'the subscriber noticed');
    await server.launch();
    const direct = new Docket({ name: docket.name, url: server.url, logger: new MemoryLogger() });
    expect(await direct.cancel(execution.key)).toBe('cancelled');
    await waiting;
    await direct.close();
    await docket.close();
  });

  it('keeps an outcome Redis refuses to write (out of memory) and records it once Redis accepts writes again', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('oom'), url: server.url, logger });
    const admin = new Redis(server.url);
    docket.register(async function fillsMemory(): Promise<number> {
      // Sent at once, ahead of this run's outcome: Redis refuses every write from here on, that
      // outcome included. Not awaited, so the task ends in the turn it started in, as most do.
      void admin.config('SET', 'maxmemory', '1');
      return 42;
    });
    const worker = new Worker(docket, { concurrency: 2 });
    const run = worker.runForever();
    try {
      // Added while the worker waits on the stream, so it runs on the idle worker's path.
      await waitUntil(async () => /name=docket:blocking:\S* .*flags=b /.test(String(await admin.client('LIST'))), 'the worker waits');
      const execution = await docket.add('fillsMemory')();
      await waitUntil(() => logger.lines.some((l) => /recording 1 outcome\(s\) failed \(.*OOM/.test(l)), 'the outcome was refused');
      await admin.config('SET', 'maxmemory', '0');
      await expect(execution.getResult({ timeout: 15_000 })).resolves.toBe(42);
      expect((await execution.sync()).state).toBe(ExecutionState.COMPLETED);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      admin.disconnect();
      await worker.stop();
      await run;
      await docket.close();
    }
  });

  it('waits on after its blocking connection is killed mid-wait, without calling it a failure, and runs the next task', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('killed'), url: server.url, logger });
    const admin = new Redis(server.url);
    docket.register(async function echo(n: number): Promise<number> {
      return n;
    });
    const worker = new Worker(docket, { concurrency: 2 });
    const run = worker.runForever();
    const blockedConnection = async (): Promise<string | undefined> =>
      String(await admin.client('LIST'))
        .split('\n')
        .find((line) => line.includes(`name=docket:blocking:${process.pid}`) && / flags=b /.test(line))
        ?.match(/\bid=(\d+)/)?.[1];
    try {
      // Its last outcome rides the wait that gets killed.
      await expect((await docket.add('echo')(1)).getResult({ timeout: 15_000 })).resolves.toBe(1);
      let killed: string | undefined;
      await waitUntil(async () => (killed = await blockedConnection()) !== undefined, 'the worker waits');
      await admin.client('KILL', 'ID', killed!);
      await waitUntil(async () => ![undefined, killed].includes(await blockedConnection()), 'the worker waits again on a new connection');
      await expect((await docket.add('echo')(2)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(logger.lines.filter((l) => /WARN/.test(l) && !/Lost the blocking connection|Reconnected the blocking connection/.test(l))).toEqual([]);
    } finally {
      admin.disconnect();
      await worker.stop();
      await run;
      await docket.close();
    }
  });
});
