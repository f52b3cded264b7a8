import { firstValueFrom, filter, toArray } from 'rxjs';
import { ExecutionCancelledError, ExecutionState, Worker, currentTask, type Docket, type ExecutionEvent } from '../../lib';
import Redis from 'ioredis';
import { dropDocket, leakedKeys, redisUrl, testDocket, waitUntil, itOnRedis } from '../support/docket-test';

describe('cancellation', () => {
  let docket: Docket;
  const ran: string[] = [];

  beforeEach(() => {
    ran.length = 0;
    docket = testDocket();
    docket.register(async function job(label: string): Promise<string> {
      ran.push(label);
      return label;
    });
    docket.register(async function patient(): Promise<string> {
      const { signal } = currentTask();
      ran.push('patient');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      throw signal.reason;
    });
    docket.register(async function stubborn(): Promise<string> {
      const { signal } = currentTask();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      return 'finished anyway';
    });
  });
  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  const events = (docket: Docket, key: string): Promise<ExecutionEvent[]> =>
    firstValueFrom(docket.execution(key).subscribe().pipe(toArray()));

  it('a scheduled execution never runs and publishes CANCELLED', async () => {
    const execution = await docket.add('job', { delay: 200 })('scheduled');
    const seen = events(docket, execution.key);
    expect(await docket.cancel(execution.key)).toBe('cancelled');
    const all = await seen;
    expect(all.at(-1)).toMatchObject({ type: 'state', state: ExecutionState.CANCELLED });
    await new Worker(docket, { schedulingResolution: 20 }).runUntilFinished();
    expect(ran).toEqual([]);
    expect((await docket.snapshot()).queueLength).toBe(0);
  });

  it('a queued execution never runs, even after the mover streamed it', async () => {
    // Fill the only slot first, so the streamed message waits unclaimed.
    await docket.add('patient', { key: 'blocker' })();
    const execution = await docket.add('job', { delay: 30 })('queued');
    const worker = new Worker(docket, { schedulingResolution: 10, concurrency: 1 });
    const run = worker.runForever();
    await waitUntil(async () => (await docket.getExecution(execution.key))?.state === ExecutionState.QUEUED, 'the due task is streamed');
    await waitUntil(() => ran.includes('patient'), 'the blocker runs');
    expect(await docket.cancel(execution.key)).toBe('cancelled');
    expect(await docket.cancel('blocker')).toBe('cancelling');
    await expect(docket.execution('blocker').getResult()).rejects.toThrow(ExecutionCancelledError);
    await waitUntil(async () => (await docket.snapshot()).streamLength === 0, 'the stream is empty');
    await worker.stop();
    await run;
    expect(ran).toEqual(['patient']);
    await expect(execution.getResult()).rejects.toThrow(ExecutionCancelledError);
    expect(await leakedKeys(docket)).toEqual([]);
  });

  it('cancelling a queued execution takes its message out of the stream at once', async () => {
    const execution = await docket.add('job')('queued');
    expect((await docket.snapshot()).streamLength).toBe(1);
    expect(await docket.cancel(execution.key)).toBe('cancelled');
    // No worker has read the stream: only the cancel itself can have emptied it.
    expect((await docket.snapshot()).streamLength).toBe(0);
  });

  itOnRedis('a cancelled record is never run, even by a message that survived the cancel and that the record still names', async () => {
    const admin = new Redis(redisUrl());
    try {
      const execution = await docket.add('job')('survivor');
      expect(await docket.cancel(execution.key)).toBe('cancelled');
      // As if the cancel had left the message in place: a stream entry the record names, of its generation.
      const gen = (await admin.hget(docket.keys.runs(execution.key), 'gen'))!;
      const id = (await admin.xadd(docket.keys.stream, '*', 'key', execution.key, 'gen', gen))!;
      await admin.hset(docket.keys.runs(execution.key), 'msg', id);
      await new Worker(docket).runUntilFinished();
      expect(ran).toEqual([]);
      expect((await execution.sync()).state).toBe(ExecutionState.CANCELLED);
      expect((await docket.snapshot()).streamLength).toBe(0);
    } finally {
      admin.disconnect();
    }
  });

  it('a running execution sees its AbortSignal and ends CANCELLED, not FAILED', async () => {
    const worker = new Worker(docket);
    const run = worker.runForever();
    const execution = await docket.add('patient')();
    await waitUntil(() => ran.includes('patient'), 'the task runs');
    const seen = events(docket, execution.key);
    expect(await docket.cancel(execution.key)).toBe('cancelling');
    const all = await seen;
    expect(all.at(-1)).toMatchObject({ type: 'state', state: ExecutionState.CANCELLED });
    expect(all.map((e) => (e.type === 'state' ? e.state : e.type))).not.toContain(ExecutionState.FAILED);
    await expect(execution.getResult()).rejects.toThrow(ExecutionCancelledError);
    await worker.stop();
    await run;
  });

  it('a running task that ignores the abort and returns still ends CANCELLED', async () => {
    const worker = new Worker(docket);
    const run = worker.runForever();
    const execution = await docket.add('stubborn')();
    await firstValueFrom(execution.state$.pipe(filter((e) => e.state === ExecutionState.RUNNING)));
    await docket.cancel(execution.key);
    await expect(execution.getResult()).rejects.toThrow(ExecutionCancelledError);
    await worker.stop();
    await run;
  });

  it('cancelling a finished or unknown execution changes nothing', async () => {
    const execution = await docket.add('job')('done');
    await new Worker(docket).runUntilFinished();
    expect(await docket.cancel(execution.key)).toBe('completed');
    expect(await docket.cancel('no-such-key')).toBe('missing');
    await expect(execution.getResult()).resolves.toBe('done');
  });
});
