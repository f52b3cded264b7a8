import {
  Disposition,
  ExecutionState,
  InvalidOptionsError,
  SerializationError,
  UnknownTaskError,
  Worker,
  type Docket,
} from '../../lib';
import { createConnection } from '../../lib/core/redis/connection';
import { RedisWorkerStore as WorkerStore } from '../../lib/core/redis/worker-store';
import type { ClaimedRun } from '../../lib/core/store';
import { MemoryLogger, dropDocket, leakedKeys, testDocket, waitUntil, itOnRedis } from '../support/docket-test';

describe('adding, replacing and scheduling work', () => {
  let docket: Docket;
  const calls: string[] = [];
  async function record(label: string): Promise<string> {
    calls.push(label);
    return label;
  }

  beforeEach(() => {
    calls.length = 0;
    docket = testDocket();
    docket.register(record);
  });
  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  it('queues immediate work and schedules future work', async () => {
    const now = await docket.add(record)('now');
    const later = await docket.add(record, { delay: 60_000 })('later');
    expect(now.state).toBe(ExecutionState.QUEUED);
    expect(now.disposition).toBe(Disposition.SCHEDULED);
    expect(later.state).toBe(ExecutionState.SCHEDULED);
    expect(later.when.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const snap = await docket.snapshot();
    expect(snap.queued.map((e) => e.key)).toEqual([now.key]);
    expect(snap.scheduled.map((e) => e.key)).toEqual([later.key]);
  });

  it('runs future work once it is due, and runUntilFinished waits for it', async () => {
    const execution = await docket.add(record, { delay: 300 })('due');
    await new Worker(docket, { schedulingResolution: 50 }).runUntilFinished();
    await execution.sync();
    expect(execution.state).toBe(ExecutionState.COMPLETED);
    expect(execution.startedAt!.getTime()).toBeGreaterThanOrEqual(execution.when.getTime());
    expect(calls).toEqual(['due']);
  });

  it('leaves a pending key alone on add and says so', async () => {
    const first = await docket.add(record, { key: 'dup', delay: 60_000 })('first');
    const second = await docket.add(record, { key: 'dup' })('second');
    expect(second.disposition).toBe(Disposition.ALREADY_SCHEDULED);
    expect(second.state).toBe(ExecutionState.SCHEDULED);
    expect(second.when.getTime()).toBe(first.when.getTime());
    const loaded = await docket.getExecution('dup');
    expect(loaded!.args).toEqual(['first']);
  });

  it('adds made in one tick go out together and keep their order', async () => {
    const [first, second, other] = await Promise.all([
      docket.add(record, { key: 'tick' })('first'),
      docket.add(record, { key: 'tick' })('second'),
      docket.add(record)('other'),
    ]);
    expect(first.disposition).toBe(Disposition.SCHEDULED);
    expect(second.disposition).toBe(Disposition.ALREADY_SCHEDULED);
    expect(other.disposition).toBe(Disposition.SCHEDULED);
    expect((await docket.getExecution('tick'))!.args).toEqual(['first']);
  });

  it('replace supersedes a pending execution', async () => {
    await docket.add(record, { key: 'r', delay: 60_000 })('old');
    const replaced = await docket.replace(record, { key: 'r' })('new');
    expect(replaced.disposition).toBe(Disposition.REPLACED);
    expect(replaced.state).toBe(ExecutionState.QUEUED);
    await new Worker(docket).runUntilFinished();
    expect(calls).toEqual(['new']);
    await expect(replaced.getResult()).resolves.toBe('new');
  });

  it('replacing a run that is still running starts the new one at once on the same idle worker', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    docket.register(async function held(tag: string): Promise<string> {
      started.push(tag);
      if (tag === 'old') await released;
      return tag;
    });
    // No sweep within the test: only the worker's own claim can start the new run.
    const worker = new Worker(docket, { concurrency: 4, redeliveryTimeout: 600_000 });
    const run = worker.runForever();
    try {
      await docket.add('held', { key: 'r' })('old');
      await waitUntil(() => started.includes('old'), 'the old run started');
      const replaced = await docket.replace('held', { key: 'r' })('new');
      await expect(replaced.getResult({ timeout: 10_000 })).resolves.toBe('new');
      expect(started).toEqual(['old', 'new']);
    } finally {
      release();
      await worker.stop();
      await run;
    }
  });

  it('a stale stream message of a replaced run is a no-op', async () => {
    await docket.add(record, { key: 's' })('old');
    await docket.replace(record, { key: 's', delay: 200 })('new');
    await new Worker(docket, { schedulingResolution: 50 }).runUntilFinished();
    expect(calls).toEqual(['new']);
  });

  itOnRedis('an outcome resent late cannot finish a later run of the same key, even when generations restart', async () => {
    const fireAndForget = testDocket({ executionTtl: 0 });
    fireAndForget.register(record);
    const connection = createConnection(fireAndForget.url, 'worker', new MemoryLogger());
    const store = new WorkerStore(fireAndForget.keys, connection);
    const finish = async (run: ClaimedRun): Promise<string[]> =>
      store.complete(
        [{ key: run.key, messageId: run.id, generation: run.generation, outcome: ExecutionState.COMPLETED, result: '', errorSummary: '', failure: '' }],
        Date.now(),
        0,
      );
    try {
      await store.ensureGroup();
      await fireAndForget.add(record, { key: 'k' })('first');
      const [first] = (await store.claimNext('w1', 1, Date.now(), 0)).runs;
      expect(await finish(first)).toEqual([ExecutionState.COMPLETED]);
      // The record is gone; the key comes back at generation 1, under a new stream message.
      await fireAndForget.add(record, { key: 'k' })('second');
      const [second] = (await store.claimNext('w2', 1, Date.now(), 0)).runs;
      expect(second.generation).toBe(first.generation);
      expect(await finish(first)).toEqual(['superseded']);
      expect((await fireAndForget.getExecution('k'))?.state).toBe(ExecutionState.RUNNING);
      expect(await finish(second)).toEqual([ExecutionState.COMPLETED]);
    } finally {
      connection.disconnect();
      await fireAndForget.close();
      await dropDocket(fireAndForget);
    }
  });

  itOnRedis('an outcome sent twice in one batch is recorded once, with one terminal event', async () => {
    const connection = createConnection(docket.url, 'worker', new MemoryLogger());
    const store = new WorkerStore(docket.keys, connection);
    const heard: string[] = [];
    let watching!: { unsubscribe(): void };
    await new Promise<void>((onReady) => {
      watching = docket.events$({ onReady }).subscribe((e) => heard.push(`${e.key} ${e.type === 'state' ? e.state : 'progress'}`));
    });
    try {
      await store.ensureGroup();
      await docket.add(record, { key: 'twice' })('x');
      const [run] = (await store.claimNext('w1', 10, Date.now(), 60_000)).runs.filter((r) => r.key === 'twice');
      const completion = { key: run.key, messageId: run.id, generation: run.generation, outcome: ExecutionState.COMPLETED, result: '', errorSummary: '', failure: '' } as const;
      expect(await store.complete([completion, completion], Date.now(), 60_000)).toEqual([ExecutionState.COMPLETED, 'superseded']);
      // Events arrive in order: once the next add's event is here, every event of 'twice' is too.
      await docket.add(record, { key: 'after' })('y');
      await waitUntil(() => heard.includes('after queued'), 'the later event arrived');
      expect(heard.filter((h) => h.startsWith('twice '))).toEqual(['twice queued', 'twice running', 'twice completed']);
    } finally {
      watching.unsubscribe();
      connection.disconnect();
    }
  });

  it('adds many in one batch', async () => {
    const executions = await docket.addMany(
      Array.from({ length: 50 }, (_, i) => docket.call(record, { key: `b${i}` })(`b${i}`)),
    );
    expect(executions.map((e) => e.state)).toEqual(Array(50).fill(ExecutionState.QUEUED));
    await new Worker(docket, { concurrency: 20 }).runUntilFinished();
    expect(calls.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`).sort());
    expect(await leakedKeys(docket)).toEqual([]);
  });

  it('gives each of many adds of one tick its own execution', async () => {
    const executions = await Promise.all(Array.from({ length: 95 }, (_, i) => docket.add(record, { key: `t${i}` })(`t${i}`)));
    expect(executions.map((e) => e.key)).toEqual(Array.from({ length: 95 }, (_, i) => `t${i}`));
    const loaded = await Promise.all(executions.map((e) => docket.getExecution(e.key)));
    expect(loaded.map((e) => e?.args)).toEqual(Array.from({ length: 95 }, (_, i) => [`t${i}`]));
  });

  it('sending the same prepared calls again never runs them twice, even after they finished', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => docket.call(record)(`r${i}`));
    await docket.addMany(batch);
    await new Worker(docket, { concurrency: 10 }).runUntilFinished();
    // As when a client resends a call whose reply it lost: the generated keys are already taken.
    const again = await docket.addMany(batch);
    expect(new Set(again.map((e) => e.disposition))).toEqual(new Set([Disposition.ALREADY_SCHEDULED]));
    expect(new Set(again.map((e) => e.state))).toEqual(new Set([ExecutionState.COMPLETED]));
    await new Worker(docket).runUntilFinished();
    expect(calls).toHaveLength(30);
  });

  it('rejects an unknown task name, naming it and the known ones', async () => {
    expect(() => docket.add('recrod')).toThrow(UnknownTaskError);
    expect(() => docket.add('recrod')).toThrow(/"recrod".*"record"/);
  });

  it('rejects arguments it cannot carry and writes nothing', async () => {
    const add = docket.add(record as unknown as (x: unknown) => Promise<string>, { key: 'bad' });
    await expect(add(() => 1)).rejects.toThrow(SerializationError);
    await expect(add(() => 1)).rejects.toThrow(/args\[0\] of task "record"/);
    expect(await docket.getExecution('bad')).toBeNull();
    expect((await docket.snapshot()).queueLength + (await docket.snapshot()).streamLength).toBe(0);
  });

  it('rejects when together with delay', () => {
    expect(() => docket.add(record, { when: new Date(), delay: 5 })).toThrow(InvalidOptionsError);
  });

  it('rejects a delay that ends past the last time a Date can hold, and writes nothing', async () => {
    await expect(docket.add(record, { key: 'too-late', delay: 1e16 })('x')).rejects.toThrow(/\{ delay \} of 10000000000000000 ms ends past the last time a Date can hold/);
    expect(await docket.getExecution('too-late')).toBeNull();
  });

  it('shows live workers and running work in the snapshot', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    docket.register(async function blocked(): Promise<void> {
      await gate;
    });
    const worker = new Worker(docket, { name: 'snap-worker' });
    const run = worker.runForever();
    const execution = await docket.add('blocked')();
    await execution.state$.pipe().forEach((e) => {
      if (e.state === ExecutionState.RUNNING) release();
    });
    const workers = await docket.workers();
    expect(workers.map((w) => w.name)).toContain('snap-worker');
    expect(workers.find((w) => w.name === 'snap-worker')!.tasks).toEqual(['blocked', 'record']);
    await worker.stop();
    await run;
    expect((await docket.workers()).map((w) => w.name)).not.toContain('snap-worker');
  });

  it('snapshot lists a running execution with its worker', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    docket.register(async function held(): Promise<void> {
      await gate;
    });
    const worker = new Worker(docket, { name: 'holder' });
    const run = worker.runForever();
    const execution = await docket.add('held')();
    await new Promise<void>((resolve) => {
      const sub = execution.state$.subscribe((e) => {
        if (e.state === ExecutionState.RUNNING) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    const snap = await docket.snapshot();
    expect(snap.running.map((e) => [e.key, e.worker, e.task])).toEqual([[execution.key, 'holder', 'held']]);
    release();
    await execution.getResult();
    await worker.stop();
    await run;
  });
});
