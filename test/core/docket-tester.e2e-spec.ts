/**
 * createDocketTester on memory://: no Redis at all. Due work runs, work due later waits for the
 * clock to be moved, retries follow the moved clock, and the assertions say what is scheduled.
 */
import { createDocketTester, Docket, DocketAssertionError, InvalidOptionsError } from '../../lib';
import { MemoryLogger } from '../support/docket-test';

describe('createDocketTester on memory://', () => {
  let docket: Docket;
  const sent: string[] = [];

  async function sendEmail(to: string): Promise<string> {
    sent.push(to);
    return `sent to ${to}`;
  }

  beforeEach(() => {
    sent.length = 0;
    docket = new Docket({ url: 'memory://', logger: new MemoryLogger() });
    docket.register(sendEmail);
  });

  afterEach(() => docket.close());

  it('runs what is due, also what tasks add; leaves work due later until the clock moves past it', async () => {
    docket.register(async function welcome(to: string): Promise<void> {
      await docket.add(sendEmail)(to);
      await docket.add(sendEmail, { delay: 86_400_000 })(`${to} (a day later)`);
    });
    const tester = createDocketTester(docket);
    await docket.add('welcome')('ada');
    await tester.runUntilFinished();
    expect(sent).toEqual(['ada']);
    await tester.expectScheduled(sendEmail, ['ada (a day later)']);
    await tester.expectTaskCount(1);

    // The clock goes on under the move too: a minute short of the day is not there yet.
    await tester.advanceBy(86_400_000 - 60_000);
    await tester.runUntilFinished();
    expect(sent).toEqual(['ada']);
    await tester.advanceBy(60_000);
    await tester.runUntilFinished();
    expect(sent).toEqual(['ada', 'ada (a day later)']);
    await tester.expectNoTasks();
  });

  it('moves retries with the clock: a failed attempt waits its delay on the moved clock', async () => {
    let calls = 0;
    docket.register(
      async function flaky(): Promise<string> {
        calls++;
        if (calls < 3) throw new Error(`attempt ${calls} failed`);
        return 'third time lucky';
      },
      { retry: { attempts: 3, delay: 60_000 } },
    );
    const tester = createDocketTester(docket);
    const execution = await docket.add('flaky')();
    await tester.runUntilFinished();
    expect(calls).toBe(1);
    await tester.expectScheduled('flaky');
    await tester.advanceTo(new Date(tester.now().getTime() + 60_000));
    await tester.runUntilFinished();
    expect(calls).toBe(2);
    await tester.advanceBy(60_000);
    await tester.runUntilFinished();
    await expect(execution.getResult({ timeout: 1_000 })).resolves.toBe('third time lucky');
    await tester.expectNoTasks();
  });

  it('runAtMost lets a task that adds itself run n times, by name or by key, and leaves the next one queued', async () => {
    const ticks: number[] = [];
    docket.register(async function tick(n: number): Promise<void> {
      ticks.push(n);
      await docket.add('tick')(n + 1);
    });
    const tester = createDocketTester(docket);
    await docket.add('tick')(0);
    await docket.add(sendEmail)('ada');
    await tester.runAtMost({ tick: 3 });
    expect(ticks).toEqual([0, 1, 2]);
    expect(sent).toEqual(['ada']);
    await tester.expectScheduled('tick', [3]);
    await tester.expectTaskCount(1);
    await tester.runAtMost({ tick: 2 });
    expect(ticks).toEqual([0, 1, 2, 3, 4]);

    const [next] = await tester.pending();
    await tester.runAtMost({ [next.key]: 0, tick: 10 });
    expect(ticks).toEqual([0, 1, 2, 3, 4]);
    await expect(tester.runAtMost({ tick: -1 })).rejects.toThrow(InvalidOptionsError);
  });

  it('a cron task: seeded at its next tick, runs there, and after an outage runs a missed day once, then keeps to its ticks', async () => {
    const ranAt: string[] = [];
    docket.register(
      async function digest(): Promise<void> {
        ranAt.push(tester.now().toISOString());
      },
      { cron: { pattern: '0 9 * * *', timezone: 'Europe/Paris' } },
    );
    const tester = createDocketTester(docket);
    // Fixed wall times: move to a known morning first (Paris is UTC+1 in January).
    await tester.advanceTo(new Date('2030-01-14T07:00:00Z'));
    await tester.runUntilFinished();
    expect(ranAt).toEqual([]);
    const [seeded] = await tester.pending();
    expect(seeded).toMatchObject({ task: 'digest', key: 'digest', when: new Date('2030-01-14T08:00:00Z') });

    await tester.advanceTo(new Date('2030-01-14T08:00:00.500Z'));
    await tester.runUntilFinished();
    expect(ranAt).toHaveLength(1);
    expect((await tester.pending())[0].when).toEqual(new Date('2030-01-15T08:00:00Z'));

    // Three days with no worker: the missed tick runs once, and the next is the coming 09:00.
    await tester.advanceTo(new Date('2030-01-18T12:00:00Z'));
    await tester.runUntilFinished();
    expect(ranAt).toHaveLength(2);
    expect((await tester.pending())[0].when).toEqual(new Date('2030-01-19T08:00:00Z'));
  });

  it('a rate-limited task runs at its limit, window after window, on the moved clock', async () => {
    docket.register(async function fetchPage(n: number): Promise<number> {
      return n;
    }, { rateLimit: { limit: 2, per: 1_000 } });
    const tester = createDocketTester(docket);
    const pages = await docket.addMany([1, 2, 3, 4, 5, 6].map((n) => docket.call('fetchPage')(n)));
    const done = async (): Promise<number> => (await Promise.all(pages.map(async (p) => (await p.sync()).state))).filter((s) => s === 'completed').length;
    await tester.runUntilFinished();
    expect(await done()).toBe(2);
    await tester.advanceBy(1_000);
    await tester.runUntilFinished();
    expect(await done()).toBe(4);
    await tester.advanceBy(1_000);
    await tester.runUntilFinished();
    expect(await done()).toBe(6);
    await tester.expectNoTasks();
  });

  it('says what is scheduled when an expectation fails', async () => {
    const tester = createDocketTester(docket);
    await docket.add(sendEmail, { delay: 5_000 })('bob');
    await expect(tester.expectScheduled(sendEmail, ['ada'])).rejects.toThrow(DocketAssertionError);
    await expect(tester.expectScheduled(sendEmail, ['ada'])).rejects.toThrow(/Expected sendEmail\("ada"\) to be scheduled, but this is:\n {2}sendEmail\("bob"\) due /);
    await expect(tester.expectNotScheduled('sendEmail')).rejects.toThrow(/not to be scheduled/);
    await expect(tester.expectNoTasks()).rejects.toThrow(/Expected 0 task\(s\) to be scheduled, but this is/);
    await tester.expectNotScheduled(sendEmail, ['ada']);
  });

  it('refuses to move a clock backwards, or the clock of a Redis docket', async () => {
    const tester = createDocketTester(docket);
    await expect(tester.advanceTo(new Date(Date.now() - 60_000))).rejects.toThrow(/before the docket's clock/);
    await expect(tester.advanceBy(-1)).rejects.toThrow(InvalidOptionsError);
    const onRedis = new Docket({ url: 'redis://127.0.0.1:1/0', logger: new MemoryLogger() });
    await expect(createDocketTester(onRedis).advanceBy(1_000)).rejects.toThrow(/only a memory:\/\/ docket has a clock a test can move/);
    await onRedis.close();
  });
});
