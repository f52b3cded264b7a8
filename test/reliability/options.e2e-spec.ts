/** Careless options: a task registered twice with other options, waits past what a timer takes. */
import { DuplicateTaskError, InvalidOptionsError, TimeoutError, Worker } from '../../lib';
import { dropDocket, testDocket } from '../support/docket-test';

describe('registering a task again', () => {
  it('with other options throws DuplicateTaskError naming what differs; with the same, changes nothing', () => {
    const docket = testDocket();
    async function chargeCard(): Promise<void> {}
    docket.register(chargeCard, { retry: { attempts: 3 } });
    expect(docket.register(chargeCard, { retry: { attempts: 3 } })).toBe(chargeCard);
    expect(() => docket.register(chargeCard, { retry: { attempts: 5 }, timeout: 1_000 })).toThrow(DuplicateTaskError);
    expect(() => docket.register(chargeCard, { retry: { attempts: 5 }, timeout: 1_000 })).toThrow(
      'Task name "chargeCard" is registered twice (again with other options: retry: {"attempts":3} → {"attempts":5}; timeout: none → 1000)',
    );
    expect(docket.tasks.get('chargeCard')?.retry?.attempts).toBe(3);
  });

  it('after an add registered it without options, throws instead of losing the options', async () => {
    const docket = testDocket();
    async function sendEmail(): Promise<void> {}
    docket.call(sendEmail)();
    expect(() => docket.register(sendEmail, { concurrency: 2 })).toThrow(/concurrency: none → \{"limit":2\}.*before its first add/);
  });

  it('with another concurrency key function is a difference too', () => {
    const docket = testDocket();
    async function sync(customer: string): Promise<string> {
      return customer;
    }
    docket.register(sync, { concurrency: { limit: 1, key: (c: string) => c } });
    expect(() => docket.register(sync, { concurrency: { limit: 1, key: (c: string) => c.toUpperCase() } })).toThrow(/concurrency:/);
  });
});

describe('a wait longer than a timer takes', () => {
  it('getResult() with a timeout past 2^31 ms waits instead of timing out at once', async () => {
    const docket = testDocket();
    docket.register(async function later(): Promise<string> {
      return 'done';
    });
    try {
      const execution = await docket.add('later', { delay: 300 })();
      const month = 31 * 24 * 3_600_000;
      const waiting = execution.getResult({ timeout: month });
      const byDeadline = execution.getResult({ deadline: new Date(Date.now() + month) });
      const worker = new Worker(docket, { schedulingResolution: 20 });
      const run = worker.runForever();
      await expect(waiting).resolves.toBe('done');
      await expect(byDeadline).resolves.toBe('done');
      await worker.stop();
      await run;
      const waitingLong = await docket.add('later', { delay: 600_000 })();
      await expect(waitingLong.getResult({ timeout: 0 })).rejects.toThrow(TimeoutError);
      await docket.cancel(waitingLong.key);
    } finally {
      await docket.close();
      await dropDocket(docket);
    }
  });

  it('worker options and stop() refuse delays a timer cannot take, with InvalidOptionsError', async () => {
    const docket = testDocket();
    expect(() => new Worker(docket, { drainTimeout: 2 ** 31 })).toThrow(InvalidOptionsError);
    expect(() => new Worker(docket, { redeliveryTimeout: 40 * 24 * 3_600_000 })).toThrow(/redeliveryTimeout must be a number of ms from 0 to 2147483647/);
    await expect(new Worker(docket).stop({ drainTimeout: Infinity })).rejects.toThrow(InvalidOptionsError);
    await docket.close();
  });
});
