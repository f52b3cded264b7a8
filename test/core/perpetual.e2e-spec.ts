/**
 * Perpetual tasks, on either backend: the next run under the same key is scheduled by the script
 * that records a run's outcome, whatever that outcome; a run can end or move the chain; automatic
 * ones are seeded by the worker. Also `retry: { attempts: Infinity }` and `extendTimeout`.
 */
import { ExecutionState, InvalidOptionsError, MIN_PERPETUAL_EVERY_MS, TaskTimeoutError, Worker, currentTask, type Docket } from '../../lib';
import { closeAfterEach, testDocket, waitUntil } from '../support/docket-test';

describe('perpetual tasks', () => {
  const opened = closeAfterEach();
  let docket: Docket;

  beforeEach(() => {
    docket = opened(testDocket());
  });

  const start = (worker: Worker): Worker => {
    void opened(worker).runForever();
    return worker;
  };

  it('runs again under the same key after each run, a failed one too, with the same arguments', async () => {
    const seen: { attempt: number; key: string }[] = [];
    docket.register(
      async function poll(source: string): Promise<string> {
        const { key, attempt } = currentTask();
        seen.push({ key, attempt });
        if (seen.length === 2) throw new Error(`${source} did not answer`);
        return source;
      },
      { perpetual: { every: 50 } },
    );
    await docket.add('poll', { key: 'poll-feed' })('feed');
    // Said from the add on, before any run has ended: how it repeats, and no run before it.
    expect(await docket.getExecution('poll-feed')).toMatchObject({ recurrence: 'every 50 ms', lastOutcome: undefined });
    start(new Worker(docket));
    await waitUntil(() => seen.length >= 4, 'four runs of the chain, the second of which failed');
    expect(new Set(seen.map((s) => s.key))).toEqual(new Set(['poll-feed']));
    // A failed run is not retried (no retry option): the chain goes on with a fresh run.
    expect(seen.every((s) => s.attempt === 1)).toBe(true);
    expect((await docket.getExecution('poll-feed'))?.args).toEqual(['feed']);
    // The snapshot says how the waiting run repeats, and how the one before it ended.
    await waitUntil(async () => (await docket.snapshot()).scheduled.length === 1, 'the next run waits');
    const [next] = (await docket.snapshot()).scheduled;
    expect(next).toMatchObject({ task: 'poll', recurrence: 'every 50 ms', lastOutcome: { state: ExecutionState.COMPLETED } });
    // Cancelling the scheduled run ends the chain.
    await waitUntil(async () => (await docket.getExecution('poll-feed'))?.state === ExecutionState.SCHEDULED, 'the next run waits');
    expect(await docket.cancel('poll-feed')).toBe('cancelled');
    const { scheduled, queued } = await docket.snapshot();
    expect([...scheduled, ...queued]).toEqual([]);
  });

  it('a run can end the chain (cancel) or move its next run (after, at)', async () => {
    let runs = 0;
    docket.register(
      async function tick(): Promise<void> {
        runs++;
        const { perpetual } = currentTask();
        expect(perpetual?.every).toBe(50);
        if (runs === 2) perpetual?.after(600_000);
        if (runs === 3) perpetual?.cancel();
      },
      { perpetual: { every: 50 } },
    );
    const worker = start(new Worker(docket));
    await docket.add('tick', { key: 'ticker' })();
    await waitUntil(async () => runs === 2 && (await docket.getExecution('ticker'))?.state === ExecutionState.SCHEDULED, 'the second run moved the third');
    const moved = await docket.getExecution('ticker');
    expect(moved!.when.getTime()).toBeGreaterThan(Date.now() + 500_000);

    // Brought forward by hand (a replace under the key keeps the chain), the third run ends it.
    await docket.replace('tick', { key: 'ticker' })();
    await waitUntil(async () => (await docket.getExecution('ticker'))?.state === ExecutionState.COMPLETED, 'the third run completed');
    const { scheduled, queued, running } = await docket.snapshot();
    expect([...scheduled, ...queued, ...running]).toEqual([]);
    expect(runs).toBe(3);
    await worker.stop();
  });

  it('automatic: a worker seeds the task under its name with no caller, once however many workers start', async () => {
    const keys = new Set<string>();
    let runs = 0;
    docket.register(
      async function heartbeatMail(): Promise<void> {
        keys.add(currentTask().key);
        runs++;
      },
      { perpetual: { every: 60_000, automatic: true } },
    );
    start(new Worker(docket));
    start(new Worker(docket));
    await waitUntil(() => runs >= 1, 'the seeded run');
    await waitUntil(async () => (await docket.getExecution('heartbeatMail'))?.state === ExecutionState.SCHEDULED, 'the next run is scheduled a minute on');
    expect([...keys]).toEqual(['heartbeatMail']);
    // Two workers seeded at their start; the add under the key took one.
    expect(runs).toBe(1);
    const next = await docket.getExecution('heartbeatMail');
    expect(next!.when.getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it('refuses bad perpetual options at registration, naming the task and the option', () => {
    const fn = async function report(): Promise<void> {};
    expect(() => docket.register(fn, { perpetual: { every: MIN_PERPETUAL_EVERY_MS - 1 } })).toThrow(InvalidOptionsError);
    expect(() => docket.register(fn, { perpetual: { every: 0 } })).toThrow(/Task "report": perpetual.every must be a number of ms from 10/);
    expect(() => docket.register(fn, { perpetual: { every: Number.NaN } })).toThrow(/perpetual.every/);
    expect(() => docket.register(fn, { perpetual: { every: 1_000, automatic: 'yes' as unknown as boolean } })).toThrow(/Task "report": perpetual.automatic must be true or false/);
    expect(() => docket.register(fn, { cron: '61 * * * *' })).toThrow(/Task "report": cron "61 \* \* \* \*" in time zone "UTC" cannot be used: .*minute/);
    expect(() => docket.register(fn, { cron: { pattern: '0 9 * * *', timezone: 'Mars/Olympus' } })).toThrow(/Task "report": cron "0 9 \* \* \*" in time zone "Mars\/Olympus" cannot be used/);
    expect(() => docket.register(fn, { cron: '' })).toThrow(/Task "report": cron needs a pattern/);
    expect(() => docket.register(fn, { cron: '0 9 * * *', perpetual: { every: 1_000 } })).toThrow(/Task "report": give perpetual or cron, not both/);
  });

  it('cron: seeded at the next tick by the worker, with no caller', async () => {
    let runs = 0;
    docket.register(
      async function everySecond(): Promise<void> {
        runs++;
      },
      { cron: '* * * * * *' },
    );
    start(new Worker(docket, { schedulingResolution: 20 }));
    await waitUntil(() => runs >= 2, 'two ticks ran');
    const next = await docket.getExecution('everySecond');
    expect(next!.when.getMilliseconds()).toBe(0);
  });
});

describe('retries without end, and a run that extends its timeout', () => {
  const opened = closeAfterEach();

  it('retry: { attempts: Infinity } tries again until an attempt succeeds', async () => {
    const docket = opened(testDocket());
    docket.register(
      async function stubborn(): Promise<number> {
        const { attempt } = currentTask();
        if (attempt < 6) throw new Error(`attempt ${attempt}`);
        return attempt;
      },
      { retry: { attempts: Infinity } },
    );
    const execution = await docket.add('stubborn')();
    await opened(new Worker(docket)).runUntilFinished();
    await expect(execution.getResult({ timeout: 5_000 })).resolves.toBe(6);
  });

  it('extendTimeout(ms) keeps a run past its timeout; the same run without it times out', async () => {
    const docket = opened(testDocket());
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const startedAt = new Map<boolean, number>();
    docket.register(
      async function slow(extend: boolean): Promise<string> {
        startedAt.set(extend, Date.now());
        if (extend) currentTask().extendTimeout(60_000);
        await gate;
        return extend ? 'extended' : 'not extended';
      },
      { timeout: 100 },
    );
    const [extended, plain] = await docket.addMany([docket.call('slow')(true), docket.call('slow')(false)]);
    void opened(new Worker(docket, { concurrency: 2 })).runForever();
    await expect(plain.getResult({ timeout: 10_000 })).rejects.toThrow(TaskTimeoutError);
    // Past the extended run's own first deadline too, before it may finish.
    await waitUntil(() => startedAt.has(true) && Date.now() - startedAt.get(true)! > 150, 'the extended run is past its first timeout');
    release();
    await expect(extended.getResult({ timeout: 10_000 })).resolves.toBe('extended');
    expect(() => currentTask().extendTimeout(1)).toThrow(/outside a running docket task/);
  });
});
