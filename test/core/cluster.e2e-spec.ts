import { firstValueFrom, timeout, toArray } from 'rxjs';
import { Docket, ExecutionCancelledError, ExecutionState, Worker, currentTask } from '../../lib/core';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { RedisCluster } from '../support/redis-cluster';
import Redis from 'ioredis';
import { createConnection, openConnection } from '../../lib/core/redis/connection';
import { RedisWorkerStore as WorkerStore } from '../../lib/core/redis/worker-store';
import { RedisStreamWaiter as StreamWaiter } from '../../lib/core/redis/stream-waiter';

describe('Redis Cluster (redis+cluster://)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('keeps every key on one slot and runs, observes, schedules and cancels work', async () => {
    const docket = new Docket({ name: uniqueName('cluster'), url: cluster.url, logger: new MemoryLogger() });
    expect(docket.keys.prefix).toBe(`{${docket.name}}`);
    docket.register(async function count(n: number): Promise<number> {
      const { progress } = currentTask();
      await progress.setTotal(n);
      for (let i = 0; i < n; i++) await progress.increment();
      return n;
    });
    const worker = new Worker(docket, { schedulingResolution: 20 });
    const run = worker.runForever();
    // A pattern subscriber (on whichever node the hub picked) hears every execution's events.
    const heard: string[] = [];
    const watching = docket.events$().subscribe((e) => heard.push(`${e.key} ${e.type === 'state' ? e.state : 'progress'}`));

    const now = await docket.add('count')(3);
    const events = firstValueFrom(now.subscribe().pipe(toArray(), timeout(10_000)));
    await expect(now.getResult({ timeout: 10_000 })).resolves.toBe(3);
    expect((await events).map((e) => (e.type === 'state' ? e.state : `${e.current}/${e.total}`)).at(-1)).toBe(ExecutionState.COMPLETED);

    const later = await docket.add('count', { delay: 300 })(2);
    const laterEvents = firstValueFrom(later.subscribe().pipe(toArray(), timeout(10_000)));
    await expect(later.getResult({ timeout: 10_000 })).resolves.toBe(2);
    // Subscribed while it was scheduled: every later event came over pub/sub, whichever node.
    expect((await laterEvents).filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state)).toEqual([
      ExecutionState.SCHEDULED,
      ExecutionState.QUEUED,
      ExecutionState.RUNNING,
      ExecutionState.COMPLETED,
    ]);

    const cancelled = await docket.add('count', { delay: 60_000 })(1);
    expect(await docket.cancel(cancelled.key)).toBe('cancelled');
    await expect(cancelled.getResult()).rejects.toThrow(ExecutionCancelledError);

    const batch = await docket.addMany(Array.from({ length: 50 }, (_, i) => docket.call('count')(i % 3)));
    const results = await Promise.all(batch.map((e) => e.getResult({ timeout: 10_000 })));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i % 3));
    expect((await docket.workers()).map((w) => w.name)).toEqual([worker.name]);
    // The health check's one read runs on the docket's node too.
    await docket.add('count', { delay: 60_000 })(1);
    expect(await docket.depths()).toMatchObject({ queued: 0, scheduled: 1, liveWorkers: 1 });
    expect((await docket.health()).healthy).toBe(true);
    await waitUntil(() => heard.includes(`${batch[49].key} completed`), 'events$ heard the last of the batch');
    expect(heard).toContain(`${batch[0].key} queued`);
    expect(heard).toContain(`${batch[0].key} running`);
    watching.unsubscribe();

    await worker.stop();
    await run;
    await docket.close();
  });

  it('a stop ends a wait that blocks on a cluster node', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('unblock'), url: cluster.url, logger });
    const connection = createConnection(cluster.url, 'worker', logger);
    await openConnection(connection, cluster.url);
    const store = new WorkerStore(docket.keys, connection);
    const nodes = cluster.nodes.map((n) => new Redis({ port: n.port, host: '127.0.0.1' }));
    const waiter = await StreamWaiter.open(cluster.url, docket.keys, store, logger);
    try {
      await store.ensureGroup();
      // BLOCK 0: without the UNBLOCK this wait would never end.
      const waiting = waiter.wait({ worker: 'w1', count: 1, blockMs: 0, after: '0-0', ttlMs: docket.executionTtl });
      const blocked = async (): Promise<boolean> => {
        const lists = await Promise.all(nodes.map(async (n) => String(await n.client('LIST'))));
        return lists.some((list) => /name=docket:blocking:\S* .*flags=b /.test(list));
      };
      await waitUntil(blocked, 'the wait blocks on its node');
      await waiter.end();
      await expect(waiting).resolves.toEqual({ runs: [], read: 0, lastId: undefined });
      expect(await blocked()).toBe(false);
    } finally {
      waiter.disconnect();
      for (const node of nodes) node.disconnect();
      connection.disconnect();
      await docket.close();
    }
  });

  it("a worker's outcome and progress writes follow the docket when its slot moves to another node", async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('moved'), url: cluster.url, logger });
    docket.register(async function count(n: number): Promise<number> {
      return n;
    });
    const connection = createConnection(cluster.url, 'worker', logger);
    await openConnection(connection, cluster.url);
    const store = new WorkerStore(docket.keys, connection);
    const nodes = cluster.nodes.map((n) => new Redis({ port: n.port, host: '127.0.0.1' }));
    try {
      // A run claimed by this worker's connection, which so learns where the docket's slot is.
      await store.ensureGroup();
      const execution = await docket.add('count')(3);
      const [run] = (await store.claimNext('w1', 1, Date.now(), docket.executionTtl)).runs;
      expect(run.key).toBe(execution.key);

      const slot = Number(await nodes[0].cluster('KEYSLOT', docket.keys.stream));
      const ids = await Promise.all(nodes.map(async (n) => String(await n.cluster('MYID'))));
      const owns = await Promise.all(nodes.map(async (n) => Number(await n.call('CLUSTER', 'COUNTKEYSINSLOT', slot)) > 0));
      const from = owns.indexOf(true);
      const to = (from + 1) % nodes.length;
      await nodes[to].cluster('SETSLOT', slot, 'IMPORTING', ids[from]);
      await nodes[from].cluster('SETSLOT', slot, 'MIGRATING', ids[to]);
      for (;;) {
        const keys = (await nodes[from].cluster('GETKEYSINSLOT', slot, 100)) as string[];
        if (keys.length === 0) break;
        await nodes[from].call('MIGRATE', '127.0.0.1', cluster.nodes[to].port, '', 0, 5_000, 'KEYS', ...keys);
      }
      for (const node of nodes) await node.cluster('SETSLOT', slot, 'NODE', ids[to]);

      // Redis answers MOVED; both writes follow it instead of failing.
      await expect(store.progress(run.key, run.generation, Date.now(), 2, 3, 'almost')).resolves.toBe(true);
      const result = docket.codec.encode(3, 'result', 'task "count"');
      const outcome = { key: run.key, messageId: run.id, generation: run.generation, result, errorSummary: '', failure: '' };
      await expect(store.complete([{ ...outcome, outcome: ExecutionState.COMPLETED }], Date.now(), docket.executionTtl)).resolves.toEqual([
        ExecutionState.COMPLETED,
      ]);
      await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe(3);
      expect((await execution.sync()).progress).toMatchObject({ current: 2, total: 3, message: 'almost' });
    } finally {
      for (const node of nodes) node.disconnect();
      connection.disconnect();
      await docket.close();
    }
  });
});
