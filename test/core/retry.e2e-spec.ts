import Redis from 'ioredis';
import { firstValueFrom, toArray } from 'rxjs';
import {
  ExecutionCancelledError,
  ExecutionState,
  InvalidOptionsError,
  TaskTimeoutError,
  Worker,
  currentTask,
  type Docket,
  type ExecutionEvent,
} from '../../lib';
import { createConnection } from '../../lib/core/redis/connection';
import { parseDelivery } from '../../lib/core/store/record-hash';
import { RedisWorkerStore as WorkerStore } from '../../lib/core/redis/worker-store';
import { retryAt } from '../../lib/core/tasks/task-registry';
import { MemoryLogger, dropDocket, leakedKeys, testDocket, waitUntil, itOnRedis } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';

const describeEvent = (e: ExecutionEvent): string =>
  e.type === 'state' ? `${e.state}${e.error ? ` (${e.error})` : ''}` : `${e.current}/${e.total}`;

describe('retries and timeouts', () => {
  let docket: Docket;
  beforeEach(() => {
    docket = testDocket();
  });
  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  describe('retrying a task that throws', () => {
    it('runs it again until an attempt succeeds, and getResult() waits through the retries', async () => {
      docket.register(
        async function flaky(label: string): Promise<string> {
          const { attempt } = currentTask();
          if (attempt < 3) throw new Error(`attempt ${attempt} broke`);
          return `${label} on attempt ${attempt}`;
        },
        { retry: { attempts: 3 } },
      );
      const execution = await docket.add('flaky')('report');
      const events = firstValueFrom(execution.subscribe().pipe(toArray()));
      const worker = new Worker(docket);
      const run = worker.runForever();
      try {
        await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('report on attempt 3');
        // The execution knows which attempt finished, and that it ended well, without a sync().
        expect(execution.attempt).toBe(3);
        expect(execution.error).toBeUndefined();
        const seen = await events;
        expect(seen.filter((e) => e.type === 'state' && e.state === ExecutionState.RUNNING).map((e) => e.type === 'state' && e.attempt)).toEqual([1, 2, 3]);
        expect(seen.map(describeEvent)).toEqual([
          'queued',
          'running',
          'queued (Error: attempt 1 broke)',
          'running',
          'queued (Error: attempt 2 broke)',
          'running',
          'completed',
        ]);
        const record = await docket.getExecution(execution.key);
        expect(record?.attempt).toBe(3);
        expect(record?.error).toBeUndefined();
      } finally {
        await worker.stop();
        await run;
      }
    });

    it('fails with the last error once the attempts are used up, awaited through the result inbox', async () => {
      docket.register(
        async function broken(): Promise<void> {
          throw new RangeError(`attempt ${currentTask().attempt} broke`);
        },
        { retry: { attempts: 2 } },
      );
      docket.resultInbox().open();
      await waitUntil(() => docket.resultInbox().mark() !== undefined, 'the result inbox is live');
      const execution = await docket.add('broken')();
      await new Worker(docket).runUntilFinished();
      await expect(execution.getResult()).rejects.toThrow(new RangeError('attempt 2 broke'));
      expect(execution.attempt).toBe(2);
      const record = await docket.getExecution(execution.key);
      expect(record?.state).toBe(ExecutionState.FAILED);
      expect(record?.attempt).toBe(2);
    });

    it('schedules a retry that must wait, where a cancel still stops it', async () => {
      docket.register(
        async function later(): Promise<void> {
          throw new Error('not yet');
        },
        { retry: { attempts: 5, delay: 60_000 } },
      );
      const before = Date.now();
      const execution = await docket.add('later')();
      const worker = new Worker(docket);
      const run = worker.runForever();
      try {
        await waitUntil(async () => (await docket.getExecution(execution.key))?.state === ExecutionState.SCHEDULED, 'the retry is scheduled');
        const waiting = (await docket.getExecution(execution.key))!;
        expect(waiting.attempt).toBe(2);
        expect(waiting.error).toBe('Error: not yet');
        // Waiting is not running: no worker and no start time are shown for it.
        expect(waiting.worker).toBeUndefined();
        expect(waiting.startedAt).toBeUndefined();
        expect(waiting.when.getTime()).toBeGreaterThanOrEqual(before + 60_000);
        expect(waiting.when.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
        expect((await docket.snapshot()).scheduled.map((e) => e.key)).toEqual([execution.key]);
        expect(await docket.cancel(execution.key)).toBe('cancelled');
        await expect(execution.getResult({ timeout: 5_000 })).rejects.toThrow(ExecutionCancelledError);
      } finally {
        await worker.stop();
        await run;
      }
      expect(await leakedKeys(docket)).toEqual([]);
    });

    it('never retries a run that was cancelled, even when the task throws on its abort', async () => {
      let runs = 0;
      docket.register(
        async function stoppable(): Promise<void> {
          runs++;
          const { signal } = currentTask();
          await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        },
        { retry: { attempts: 3 } },
      );
      const execution = await docket.add('stoppable')();
      const worker = new Worker(docket);
      const run = worker.runForever();
      try {
        await waitUntil(async () => (await docket.getExecution(execution.key))?.state === ExecutionState.RUNNING, 'running');
        expect(await docket.cancel(execution.key)).toBe('cancelling');
        await expect(execution.getResult({ timeout: 10_000 })).rejects.toThrow(ExecutionCancelledError);
        expect(runs).toBe(1);
        expect((await docket.getExecution(execution.key))?.attempt).toBe(1);
      } finally {
        await worker.stop();
        await run;
      }
    });

    itOnRedis('runs a retry at once on a worker still running a stale copy of the failed attempt', async () => {
      // Worker A stalls on attempt 1; another worker takes it over, fails it, and its retry comes
      // back to A, which must not take it for the attempt it is still running.
      let release!: () => void;
      const stalled = new Promise<void>((resolve) => (release = resolve));
      docket.register(
        async function stalls(): Promise<string> {
          const { attempt } = currentTask();
          if (attempt === 1) await stalled;
          return `done on attempt ${attempt}`;
        },
        { retry: { attempts: 2 } },
      );
      const execution = await docket.add('stalls')();
      const a = new Worker(docket, { concurrency: 2, redeliveryTimeout: 600_000 });
      const run = a.runForever();
      const connection = createConnection(docket.url, 'worker', new MemoryLogger());
      const b = new WorkerStore(docket.keys, connection);
      try {
        await waitUntil(async () => (await docket.getExecution(execution.key))?.state === ExecutionState.RUNNING, 'A runs attempt 1');
        const [[id, fields]] = (await b.client.xrange(docket.keys.stream, '-', '+')) as [string, string[]][];
        await b.client.call('XCLAIM', docket.keys.stream, docket.keys.group, 'B', 0, id);
        const [taken] = await b.claim([parseDelivery(id, fields, true)], 'B', Date.now(), docket.executionTtl);
        const failed = { key: taken.key, messageId: taken.id, generation: taken.generation, result: '', failure: '{}' };
        expect(await b.complete([{ ...failed, outcome: ExecutionState.FAILED, errorSummary: 'Error: B broke', retryAt: Date.now() }], Date.now(), docket.executionTtl)).toEqual([
          ExecutionState.QUEUED,
        ]);
        await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('done on attempt 2');
      } finally {
        release();
        connection.disconnect();
        await a.stop();
        await run;
      }
    });

    it('waits the delay, doubled after each retry with exponential backoff, up to maxDelay', () => {
      const fixed = { attempts: 4, delay: 100 };
      const exponential = { attempts: 5, delay: 100, backoff: 'exponential' as const, maxDelay: 350 };
      expect([1, 2, 3, 4].map((attempt) => retryAt(fixed, attempt, 1_000))).toEqual([1_100, 1_100, 1_100, undefined]);
      expect([1, 2, 3, 4, 5].map((attempt) => retryAt(exponential, attempt, 1_000))).toEqual([1_100, 1_200, 1_350, 1_350, undefined]);
    });

    it('rejects retry options that make no sense, by name', () => {
      const task = async function t(): Promise<void> {};
      expect(() => docket.register(task, { retry: { attempts: 0 } })).toThrow(InvalidOptionsError);
      expect(() => docket.register(task, { retry: { attempts: 2, delay: -1 } })).toThrow(/retry\.delay must be a number of ms ≥ 0, got -1/);
      expect(() => docket.register(task, { retry: { attempts: 2, delay: 500, maxDelay: 100 } })).toThrow(/retry\.maxDelay/);
    });
  });

  describe('a task timeout', () => {
    it('aborts a run that takes too long and fails it with TaskTimeoutError, which getResult() rethrows', async () => {
      let reason: unknown;
      docket.register(
        async function hangs(): Promise<void> {
          const { signal } = currentTask();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          reason = signal.reason;
        },
        { timeout: 50 },
      );
      const execution = await docket.add('hangs')();
      await new Worker(docket).runUntilFinished();
      const error = await execution.getResult().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskTimeoutError);
      expect(error).toMatchObject({ taskName: 'hangs', timeoutMs: 50 });
      expect((error as Error).message).toContain('ran longer than its timeout of 50 ms');
      expect(reason).toBeInstanceOf(TaskTimeoutError);
      expect((await docket.getExecution(execution.key))?.state).toBe(ExecutionState.FAILED);
    });

    it('with retry, tries again a run that timed out', async () => {
      docket.register(
        async function slowFirst(): Promise<number> {
          const { attempt, signal } = currentTask();
          if (attempt === 1) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          return attempt;
        },
        { timeout: 50, retry: { attempts: 2 } },
      );
      const execution = await docket.add('slowFirst')();
      await new Worker(docket).runUntilFinished();
      await expect(execution.getResult()).resolves.toBe(2);
    });

    itOnRedis('does not time out a run that returned in time while its last progress write is slow', async () => {
      const server = await RedisServer.start();
      const admin = new Redis(server.port);
      const own = testDocket({ url: server.url });
      own.register(
        async function quick(): Promise<string> {
          // Every write waits 2.5 s, so the progress written at the end outlasts the 2 s timeout,
          // while the task itself returns at once, far within it.
          await admin.call('CLIENT', 'PAUSE', '2500', 'WRITE');
          await currentTask().progress.setCurrent(1);
          return 'in time';
        },
        { timeout: 2_000 },
      );
      try {
        const execution = await own.add('quick')();
        await new Worker(own).runUntilFinished();
        await expect(execution.getResult()).resolves.toBe('in time');
      } finally {
        admin.disconnect();
        await own.close();
        await server.stop();
      }
    });

    it('rejects a timeout that is not a positive number of ms, by name', () => {
      const task = async function t(): Promise<void> {};
      expect(() => docket.register(task, { timeout: 0 })).toThrow(InvalidOptionsError);
      expect(() => docket.register(task, { timeout: Number.NaN })).toThrow(/timeout must be a number of ms > 0/);
    });
  });
});
