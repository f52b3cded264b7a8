import { firstValueFrom, timeout, toArray } from 'rxjs';
import { Docket, ExecutionCancelledError, ExecutionState, Worker, currentTask } from '../../lib/core';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { RedisCluster } from '../support/redis-cluster';

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
    const events = firstValueFrom(now.subscribe().pipe(toArray()));
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
    await waitUntil(() => heard.includes(`${batch[49].key} completed`), 'events$ heard the last of the batch');
    expect(heard).toContain(`${batch[0].key} queued`);
    expect(heard).toContain(`${batch[0].key} running`);
    watching.unsubscribe();

    await worker.stop();
    await run;
    await docket.close();
  });
});
