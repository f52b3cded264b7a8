/**
 * A worker that lacks a task, as in a rolling deploy that adds one: the runs are put back for a
 * worker that has it, fail only once none has had it for a while, or go to a fallback task.
 */
import { Docket, ExecutionState, UnknownTaskError, Worker, currentTask } from '../../lib';
import { MemoryLogger, dropDocket, redisUrl, uniqueName, waitUntil } from '../support/docket-test';

const quick = { schedulingResolution: 20, redeliveryTimeout: 2_000 };

describe('a run of a task this worker does not have', () => {
  it('is put back for a worker that has it: none of 40 fails', async () => {
    const name = uniqueName('rolling');
    const oldLogger = new MemoryLogger();
    const oldDocket = new Docket({ name, url: redisUrl(), logger: oldLogger });
    oldDocket.register(async function existing(): Promise<string> {
      return 'old';
    });
    const newDocket = new Docket({ name, url: redisUrl(), logger: new MemoryLogger() });
    const ranOn: string[] = [];
    newDocket.register(async function added(n: number): Promise<number> {
      ranOn.push(currentTask().worker);
      return n;
    });
    const old = new Worker(oldDocket, { ...quick, name: 'old' });
    const fresh = new Worker(newDocket, { ...quick, name: 'new', concurrency: 2 });
    const runs = [old.runForever(), fresh.runForever()];
    try {
      await waitUntil(async () => (await newDocket.workers()).length === 2, 'both workers are up');
      const executions = await Promise.all(Array.from({ length: 40 }, (_, n) => newDocket.add('added')(n)));
      const results = await Promise.all(executions.map((e) => e.getResult({ timeout: 20_000 })));
      expect(results).toEqual(Array.from({ length: 40 }, (_, n) => n));
      expect(new Set(ranOn)).toEqual(new Set(['new']));
      expect(oldLogger.lines.some((l) => l.includes('this worker has no task "added"; put back') && l.includes('workers new have it'))).toBe(true);
    } finally {
      await old.stop();
      await fresh.stop();
      await Promise.all(runs);
      await oldDocket.close();
      await newDocket.close();
      await dropDocket(oldDocket);
    }
  });

  it('fails with UnknownTaskError naming the workers seen once no live worker has had it for unknownTaskTimeout', async () => {
    const name = uniqueName('missing');
    const producer = new Docket({ name, url: redisUrl(), logger: new MemoryLogger() });
    producer.register(async function nowhere(): Promise<void> {});
    const docket = new Docket({ name, url: redisUrl(), logger: new MemoryLogger() });
    docket.register(async function elsewhere(): Promise<void> {});
    const worker = new Worker(docket, { ...quick, name: 'lonely', unknownTaskTimeout: 300 });
    const run = worker.runForever();
    try {
      const execution = await producer.add('nowhere')();
      const failure = await execution.getResult({ timeout: 20_000 }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(UnknownTaskError);
      expect((failure as Error).message).toMatch(/^No live worker of docket "missing-\w+" has had task "nowhere" for \d+ s \(workers seen: lonely \[elsewhere\]\)/);
      expect((await execution.sync()).state).toBe(ExecutionState.FAILED);
    } finally {
      await worker.stop();
      await run;
      await producer.close();
      await docket.close();
      await dropDocket(docket);
    }
  });

  it('goes to the fallback task when the worker has one, with its arguments and its own name', async () => {
    const name = uniqueName('fallback');
    const producer = new Docket({ name, url: redisUrl(), logger: new MemoryLogger() });
    producer.register(async function renamed(a: number, b: string): Promise<string> {
      return `${a}${b}`;
    });
    const docket = new Docket({ name, url: redisUrl(), logger: new MemoryLogger() });
    const seen: string[] = [];
    async function catchAll(...args: unknown[]): Promise<string> {
      seen.push(`${currentTask().taskName}(${args.join(', ')})`);
      return 'handled';
    }
    const worker = new Worker(docket, { ...quick, fallback: catchAll });
    const run = worker.runForever();
    try {
      expect(await (await producer.add('renamed')(1, 'x')).getResult({ timeout: 10_000 })).toBe('handled');
      expect(seen).toEqual(['renamed(1, x)']);
      expect(() => producer.add('nothing')).toThrow(UnknownTaskError);
    } finally {
      await worker.stop();
      await run;
      await producer.close();
      await docket.close();
      await dropDocket(docket);
    }
  });
});
