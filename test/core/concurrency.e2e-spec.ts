import Redis from 'ioredis';
import { Docket, ExecutionCancelledError, ExecutionState, InvalidOptionsError, Worker, type ConcurrencyOptions, type Execution, type RegisterOptions } from '../../lib';
import { createConnection, openConnection } from '../../lib/core/redis/connection';
import { RedisWorkerStore as WorkerStore } from '../../lib/core/redis/worker-store';
import { openBackend } from '../../lib/core/backends';
import type { WorkerStore as PortWorkerStore } from '../../lib/core/store';
import { dropDocket, leakedKeys, MemoryLogger, testDocket, waitUntil, itOnRedis } from '../support/docket-test';

/** Runs that wait for the test to let them finish, counting how many go at once (per group too). */
class Gates {
  private readonly open = new Map<string, () => void>();
  private readonly going = new Map<string, number>();
  readonly most = new Map<string, number>();
  readonly ran: string[] = [];

  async pass(name: string, group = 'all'): Promise<void> {
    this.ran.push(name);
    for (const g of new Set([group, 'all'])) {
      const now = (this.going.get(g) ?? 0) + 1;
      this.going.set(g, now);
      this.most.set(g, Math.max(this.most.get(g) ?? 0, now));
    }
    await new Promise<void>((resolve) => this.open.set(name, resolve));
    for (const g of new Set([group, 'all'])) this.going.set(g, (this.going.get(g) ?? 1) - 1);
  }

  /** The runs waiting at their gate now. */
  waiting(): string[] {
    return [...this.open.keys()].sort();
  }

  /** Lets every run waiting now go on. */
  release(): void {
    for (const [name, open] of this.open) {
      this.open.delete(name);
      open();
    }
  }
}

async function snapshotCounts(docket: Docket): Promise<{ running: number; scheduled: number; queued: number }> {
  const { running, scheduled, queued } = await docket.snapshot();
  return { running: running.length, scheduled: scheduled.length, queued: queued.length };
}

/** Lets runs through until every execution has finished; resolves with their results. */
async function finishAll(gates: Gates, executions: Execution[]): Promise<unknown[]> {
  const results = Promise.all(executions.map((e) => e.getResult({ timeout: 20_000 })));
  let settled = false;
  void results.finally(() => (settled = true)).catch(() => undefined);
  await waitUntil(() => {
    gates.release();
    return settled;
  }, 'every execution finished', 20_000);
  return results;
}

describe('concurrency limits', () => {
  let docket: Docket;
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  const start = (worker: Worker): Worker => {
    workers.push(worker);
    runs.push(worker.runForever());
    return worker;
  };

  beforeEach(() => {
    docket = testDocket();
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop({ drainTimeout: 0 })));
    await Promise.all(runs);
    workers.length = 0;
    runs.length = 0;
    await docket.close();
    expect(await leakedKeys(docket)).toEqual([]);
    await dropDocket(docket);
  });

  it('lets at most `limit` runs of a task go at once across workers; the others wait SCHEDULED and all run', async () => {
    const gates = new Gates();
    docket.register(
      async function report(n: number): Promise<number> {
        await gates.pass(`r${n}`);
        return n;
      },
      { concurrency: 2 },
    );
    start(new Worker(docket, { concurrency: 5 }));
    start(new Worker(docket, { concurrency: 5 }));
    const executions = await docket.addMany([0, 1, 2, 3, 4, 5].map((n) => docket.call('report')(n)));
    await waitUntil(async () => gates.waiting().length === 2 && (await snapshotCounts(docket)).scheduled === 4, 'two run and four wait');
    expect(await snapshotCounts(docket)).toEqual({ running: 2, scheduled: 4, queued: 0 });
    const { scheduled } = await docket.snapshot();
    expect(scheduled.map((e) => e.waitingFor)).toEqual(['report', 'report', 'report', 'report']);
    const parked = await docket.getExecution(scheduled[0].key);
    expect(parked).toMatchObject({ state: ExecutionState.SCHEDULED, waitingFor: 'report' });
    await expect(finishAll(gates, executions)).resolves.toEqual([0, 1, 2, 3, 4, 5]);
    expect(gates.most.get('all')).toBe(2);
    expect([...gates.ran].sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('with a key, limits per value: different values go together, the same value one at a time', async () => {
    const gates = new Gates();
    docket.register(
      async function sync(customer: string, n: number): Promise<string> {
        await gates.pass(`${customer}${n}`, customer);
        return `${customer}${n}`;
      },
      { concurrency: { limit: 1, key: (customer: string) => customer } },
    );
    start(new Worker(docket, { concurrency: 10 }));
    const executions = await docket.addMany([docket.call('sync')('a', 1), docket.call('sync')('a', 2), docket.call('sync')('b', 1)]);
    await waitUntil(async () => gates.waiting().length === 2 && (await snapshotCounts(docket)).scheduled === 1, 'one run of each customer');
    expect(gates.waiting()).toEqual(['a1', 'b1']);
    expect((await executions[1].sync()).waitingFor).toBe('sync:a');
    await expect(finishAll(gates, executions)).resolves.toEqual(['a1', 'a2', 'b1']);
    expect(gates.most.get('a')).toBe(1);
    expect(gates.most.get('all')).toBe(2);
  });

  it('a waiting run that is cancelled never runs, and its place goes to the next', async () => {
    const gates = new Gates();
    docket.register(
      async function job(n: number): Promise<number> {
        await gates.pass(`j${n}`);
        return n;
      },
      { concurrency: 1 },
    );
    start(new Worker(docket, { concurrency: 5 }));
    const first = await docket.add('job')(1);
    await waitUntil(() => gates.waiting().length === 1, 'the first runs');
    const second = await docket.add('job')(2);
    const third = await docket.add('job')(3);
    await waitUntil(async () => (await snapshotCounts(docket)).scheduled === 2, 'the others wait');
    expect(await docket.cancel(second.key)).toBe('cancelled');
    await expect(finishAll(gates, [first, third])).resolves.toEqual([1, 3]);
    await expect(second.getResult()).rejects.toBeInstanceOf(ExecutionCancelledError);
    expect(gates.ran).toEqual(['j1', 'j3']);
  });

  it('a run that fails and is tried again gives up its place meanwhile; the waiting states are events', async () => {
    const gates = new Gates();
    let failures = 0;
    docket.register(
      async function flaky(n: number): Promise<number> {
        await gates.pass(`f${n}-${failures}`);
        if (n === 1 && failures++ === 0) throw new Error('first try fails');
        return n;
      },
      { concurrency: 1, retry: { attempts: 2 } },
    );
    start(new Worker(docket, { concurrency: 5 }));
    const first = await docket.add('flaky')(1);
    await waitUntil(() => gates.waiting().length === 1, 'the first runs');
    const second = await docket.add('flaky')(2);
    await waitUntil(async () => (await snapshotCounts(docket)).scheduled === 1, 'the second waits');
    const states: string[] = [];
    const watching = second.state$.subscribe((e) => states.push(e.state));
    await waitUntil(() => states.length > 0, 'the snapshot came');
    await expect(finishAll(gates, [first, second])).resolves.toEqual([1, 2]);
    watching.unsubscribe();
    expect((await first.sync()).attempt).toBe(2);
    // The second was parked (back to SCHEDULED after its claim) and queued again when the first's
    // failure freed the place, ahead of the first's retry, which then waited its turn.
    expect(states).toEqual([
      ExecutionState.SCHEDULED,
      ExecutionState.QUEUED,
      ExecutionState.RUNNING,
      ExecutionState.COMPLETED,
    ]);
  });

  it('a place held by a worker that stopped without finishing lapses with its lease', async () => {
    const gates = new Gates();
    let runsOfFirst = 0;
    docket.register(
      async function hold(n: number): Promise<number> {
        if (n === 1 && runsOfFirst++ === 0) await gates.pass('first, abandoned');
        return n;
      },
      { concurrency: 1 },
    );
    const leaving = new Worker(docket, { concurrency: 5, redeliveryTimeout: 300 });
    const leavingRun = leaving.runForever();
    const first = await docket.add('hold')(1);
    await waitUntil(() => gates.waiting().length === 1, 'the first runs');
    const second = await docket.add('hold')(2);
    await waitUntil(async () => (await snapshotCounts(docket)).scheduled === 1, 'the second waits');
    await leaving.stop({ drainTimeout: 0 });
    await leavingRun;
    start(new Worker(docket, { concurrency: 5, redeliveryTimeout: 300 }));
    await expect(Promise.all([first.getResult({ timeout: 20_000 }), second.getResult({ timeout: 20_000 })])).resolves.toEqual([1, 2]);
    expect(runsOfFirst).toBe(2);
  });

  itOnRedis('a holder replaced while it runs keeps its place renewed until it ends, and only then does the replacement run', async () => {
    const gates = new Gates();
    docket.register(
      async function slow(n: number): Promise<number> {
        await gates.pass(`s${n}`);
        return n;
      },
      { concurrency: 1 },
    );
    const lease = 400;
    start(new Worker(docket, { concurrency: 5, redeliveryTimeout: lease }));
    await docket.add('slow', { key: 'report' })(1);
    await waitUntil(() => gates.waiting().length === 1, 'the first run holds the place');
    const replacement = await docket.replace('slow', { key: 'report' })(2);
    await waitUntil(async () => (await replacement.sync()).waitingFor === 'slow', 'the replacement waits for the place');
    const admin = new Redis(docket.url);
    try {
      const [holder, score] = (await admin.zrange(docket.keys.slots('slow'), '0', '-1', 'WITHSCORES')) as string[];
      // Renewed past the end of its first lease: a place whose renewal stopped would lapse and go to the replacement.
      await waitUntil(async () => Number(await admin.zscore(docket.keys.slots('slow'), holder)) > Number(score) + lease, 'the place is renewed');
    } finally {
      admin.disconnect();
    }
    expect(gates.ran).toEqual(['s1']);
    await expect(finishAll(gates, [replacement])).resolves.toEqual([2]);
    expect(gates.ran).toEqual(['s1', 's2']);
    expect(gates.most.get('all')).toBe(1);
  });

  /**
   * Three runs of a task limited to 1, claimed by `w1`: the first holds the place, the others are
   * parked; the first ends, which wakes one of them.
   */
  async function wokenSecond(): Promise<{ store: PortWorkerStore; keys: string[] }> {
    docket.register(async function job(): Promise<void> {}, { concurrency: 1 });
    const added = await docket.addMany([1, 2, 3].map(() => docket.call('job')()));
    // Through the store port, as a worker reaches it: the same steps on either backend.
    const store = await openBackend({ name: docket.name, url: docket.url, logger: new MemoryLogger(), hashTag: false, commandTimeout: 5_000 }).openWorkerStore();
    await store.ensureGroup();
    const runs = (await store.claimNext('w1', 3, Date.now(), docket.executionTtl)).runs;
    const place = { name: 'job', size: 1 };
    expect(await Promise.all(runs.map((run) => store.acquire(run, place, Date.now(), 60_000)))).toEqual(['acquired', 'parked', 'parked']);
    const [first] = runs;
    await store.complete([{ key: first.key, messageId: first.id, generation: first.generation, outcome: ExecutionState.COMPLETED, result: '', errorSummary: '', failure: '', place }], Date.now(), docket.executionTtl);
    // The two waiting ones were parked in the same millisecond: either may be the one woken.
    const states = await Promise.all(added.map(async (e) => (await e.sync()).state));
    expect(states[0]).toBe(ExecutionState.COMPLETED);
    expect([...states.slice(1)].sort()).toEqual([ExecutionState.QUEUED, ExecutionState.SCHEDULED]);
    const woken = states[1] === ExecutionState.QUEUED ? 1 : 2;
    // keys: the woken one, then the one still waiting.
    return { store, keys: [added[woken].key, added[3 - woken].key] };
  }

  it('a woken run cancelled before it starts hands its wake to the next one waiting', async () => {
    const { store, keys } = await wokenSecond();
    try {
      expect(await docket.cancel(keys[0])).toBe('cancelled');
      expect((await docket.execution(keys[1]).sync()).state).toBe(ExecutionState.QUEUED);
    } finally {
      await docket.cancel(keys[1]);
      await store.close();
    }
  });

  it('a woken run replaced before it starts hands its wake to the next one waiting', async () => {
    const { store, keys } = await wokenSecond();
    try {
      await docket.replace('job', { key: keys[0], delay: 60_000 })();
      expect((await docket.execution(keys[1]).sync()).state).toBe(ExecutionState.QUEUED);
    } finally {
      await docket.cancel(keys[0]);
      await docket.cancel(keys[1]);
      await store.close();
    }
  });

  itOnRedis('a run whose cancel came between its claim and its place ends without taking one', async () => {
    docket.register(async function job(): Promise<void> {}, { concurrency: 1 });
    await docket.add('job')();
    const connection = createConnection(docket.url, 'worker', new MemoryLogger());
    await openConnection(connection, docket.url);
    const store = new WorkerStore(docket.keys, connection);
    try {
      await store.ensureGroup();
      const [run] = (await store.claimNext('w1', 1, Date.now(), docket.executionTtl)).runs;
      expect(await docket.cancel(run.key)).toBe('cancelling');
      await expect(store.acquire(run, { name: 'job', size: 1 }, Date.now(), 60_000)).resolves.toBe('cancelled');
      expect(await connection.zcard(docket.keys.slots('job'))).toBe(0);
      await store.complete([{ key: run.key, messageId: run.id, generation: run.generation, outcome: ExecutionState.CANCELLED, result: '', errorSummary: '', failure: '' }], Date.now(), docket.executionTtl);
    } finally {
      connection.disconnect();
    }
  });

  it("types a key by the task's arguments, and keeps a task typed when its options are a shared object", () => {
    const shared: RegisterOptions = { retry: { attempts: 2 } };
    const send = docket.register(async function send(to: string): Promise<{ sent: boolean }> {
      return { sent: to !== '' };
    }, shared);
    const five: ConcurrencyOptions = { limit: 5 };
    docket.register(async function batch(id: number): Promise<number> {
      return id;
    }, { concurrency: five });
    docket.register(async function keyed(id: number): Promise<number> {
      return id;
    // @ts-expect-error the key takes the task's arguments: a number, not a string
    }, { concurrency: { limit: 1, key: (id: string) => id } });
    // Checked by the compiler only: the add and the result keep the task's types.
    const typed = async (): Promise<{ sent: boolean }> => (await docket.add(send)('a@b.c')).getResult();
    expect(typeof typed).toBe('function');
    expect(docket.tasks.names()).toEqual(['batch', 'keyed', 'send']);
  });

  it('names a limit that is not a whole number ≥ 1, or a key that is not a function', () => {
    const task = async function limited(): Promise<void> {};
    expect(() => docket.register(task, { concurrency: 0 })).toThrow(InvalidOptionsError);
    expect(() => docket.register(task, { concurrency: 0 })).toThrow('Task "limited": concurrency must be a whole number ≥ 1 (the runs at once), got 0');
    expect(() => docket.register(task, { concurrency: { limit: 1.5 } })).toThrow('concurrency.limit must be a whole number ≥ 1');
    expect(() => docket.register(task, { concurrency: { limit: 1, key: 'customer' as unknown as () => string } })).toThrow(
      'concurrency.key must be a function of the task\'s arguments, got string',
    );
  });
});
