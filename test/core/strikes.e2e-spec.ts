import { firstValueFrom, toArray } from 'rxjs';
import {
  Disposition,
  Docket,
  ExecutionCancelledError,
  ExecutionState,
  InvalidOptionsError,
  RedisUnavailableError,
  TaskStruckError,
  Worker,
  describeStrike,
  type Strike,
} from '../../lib';
import { dropDocket, leakedKeys, MemoryLogger, redisUrl, testDocket, waitUntil } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';

describe('strikes', () => {
  let docket: Docket;
  const others: Docket[] = [];
  const ran: string[] = [];

  /** Another process's docket: same Redis and name, its own connections and strike list. */
  function another(): Docket {
    const other = new Docket({ name: docket.name, url: redisUrl(), logger: new MemoryLogger() });
    registerTasks(other);
    others.push(other);
    return other;
  }

  function registerTasks(target: Docket): void {
    target.register(async function job(label: string): Promise<string> {
      ran.push(label);
      return label;
    });
    target.register(async function charge(customer: string, amount: number | bigint, at?: Date): Promise<void> {
      ran.push(`charge ${customer} ${amount}${at ? ` ${at.toISOString().slice(0, 10)}` : ''}`);
    });
    target.register(async function notify(customer: string, ...channels: string[]): Promise<void> {
      ran.push(`notify ${customer} ${channels.join('+')}`);
    });
  }

  const lines = (d: Docket): string[] => (d.logger as MemoryLogger).lines;

  beforeEach(() => {
    ran.length = 0;
    docket = testDocket();
    registerTasks(docket);
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    await docket.close();
    await dropDocket(docket);
  });

  it('a struck task is not added: STRUCK, nothing written, getResult throws TaskStruckError', async () => {
    expect(await docket.strike('job')).toBe(true);
    expect(await docket.strike('job')).toBe(false);
    const execution = await docket.add('job')('never');
    expect(execution.disposition).toBe(Disposition.STRUCK);
    expect(execution.state).toBe(ExecutionState.CANCELLED);
    expect(await docket.getExecution(execution.key)).toBeNull();
    expect(await execution.sync()).toBe(execution);
    const error = await execution.getResult().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskStruckError);
    expect(error).toBeInstanceOf(ExecutionCancelledError);
    expect((error as Error).message).toContain('job is struck');
    expect(await firstValueFrom(execution.subscribe().pipe(toArray()))).toEqual([
      { type: 'state', key: execution.key, seq: 0, state: ExecutionState.CANCELLED },
    ]);
    expect(lines(docket).some((l) => l.startsWith('WARN job{') && l.includes('is struck (job): not added'))).toBe(true);
    // Another task is not touched, and in a batch only the struck call is left out.
    const [kept, struck] = await docket.addMany([docket.call('charge')('c-1', 5), docket.call('job')('batched')]);
    expect([kept.disposition, struck.disposition]).toEqual([Disposition.SCHEDULED, Disposition.STRUCK]);
    await new Worker(docket).runUntilFinished();
    expect(ran).toEqual(['charge c-1 5']);
    // What strikes() lists, restore() takes back as it is.
    for (const strike of await docket.strikes()) expect(await docket.restore(strike)).toBe(true);
    expect(await docket.strikes()).toEqual([]);
    // This process obeys its own strikes and restores from its very next add.
    await docket.strike('charge');
    expect((await docket.add('charge')('c-2', 1)).disposition).toBe(Disposition.STRUCK);
    await docket.restore('charge');
    expect((await docket.add('charge')('c-3', 1)).disposition).toBe(Disposition.SCHEDULED);
    await new Worker(docket).runUntilFinished();
    expect(ran).toEqual(['charge c-1 5', 'charge c-3 1']);
  });

  it('a run waiting when the strike comes ends CANCELLED at the worker without running; a restore lets new calls run', async () => {
    const queued = await docket.add('job')('queued before');
    const scheduled = await docket.add('job', { delay: 50 })('scheduled before');
    // Struck by another process; this one follows the channel.
    expect(await another().strike({ task: 'job' })).toBe(true);
    await waitUntil(() => lines(docket).includes('LOG Striking job'), 'this process hears the strike');
    const worker = new Worker(docket, { schedulingResolution: 10 });
    await worker.runUntilFinished();
    expect(ran).toEqual([]);
    await expect(queued.getResult()).rejects.toThrow(ExecutionCancelledError);
    await expect(scheduled.getResult()).rejects.toThrow(ExecutionCancelledError);
    expect((await docket.getExecution(queued.key))?.state).toBe(ExecutionState.CANCELLED);
    expect(lines(docket).filter((l) => l.includes('is struck (job): cancelled'))).toHaveLength(2);

    expect(await docket.restore('job')).toBe(true);
    expect(await docket.restore('job')).toBe(false);
    const after = await docket.add('job')('after restore');
    expect(after.disposition).toBe(Disposition.SCHEDULED);
    await new Worker(docket).runUntilFinished();
    expect(await after.getResult()).toBe('after restore');
    expect(await leakedKeys(docket)).toEqual([]);
  });

  it('strikes by parameter compare the argument of that name, for one task or for every task', async () => {
    await docket.strike({ task: 'charge', parameter: 'amount', operator: '>', value: 100 });
    await docket.strike({ task: 'charge', parameter: 'at', operator: 'between', value: [new Date('2026-01-01'), new Date('2026-01-31')] });
    await docket.strike({ parameter: 'customer', value: 'c-42' });
    await docket.strike({ task: 'notify', parameter: 'channels', value: 'sms' });
    await docket.strike({ task: 'charge', parameter: 'amount', operator: '<=', value: 0 });
    const outcomes: [string, unknown[]][] = [
      ['charge', ['c-1', 100]],
      ['charge', ['c-2', 101]],
      ['charge', ['c-3', 10n ** 20n]],
      ['charge', ['c-4', 5, new Date('2026-01-15')]],
      ['charge', ['c-5', 5, new Date('2026-02-01')]],
      ['charge', ['c-42', 1]],
      ['job', ['c-42']],
      ['notify', ['c-42', 'email']],
      ['notify', ['c-6', 'email', 'sms']],
      ['notify', ['c-7', 'email']],
      ['notify', ['c-8']],
      ['charge', ['c-9', NaN]],
    ];
    const executions = await docket.addMany(outcomes.map(([task, args]) => docket.call(task)(...args)));
    expect(executions.map((e) => e.disposition === Disposition.STRUCK)).toEqual([false, true, true, true, false, true, false, true, true, false, false, false]);
    await new Worker(docket).runUntilFinished();
    // `job` has no parameter named customer: the global rule does not reach it. A rest parameter
    // matches when one of the arguments it took does; NaN is never ordered.
    expect(ran.sort()).toEqual(['c-42', 'charge c-1 100', 'charge c-5 5 2026-02-01', 'charge c-9 NaN', 'notify c-7 email', 'notify c-8 '].sort());
    const strikes = await docket.strikes();
    expect(strikes.map(describeStrike)).toEqual([
      "*(customer == 'c-42')",
      'charge(amount <= 0)',
      'charge(amount > 100)',
      'charge(at between [2026-01-01T00:00:00.000Z, 2026-01-31T00:00:00.000Z])',
      "notify(channels == 'sms')",
    ]);
    // The values come back typed: a restore with the same rule finds it.
    for (const strike of strikes) expect(await docket.restore(strike)).toBe(true);
    expect(await docket.strikes()).toEqual([]);
    expect(await leakedKeys(docket)).toEqual([]);
  });

  it('a process that starts later reads the strikes in effect; a running one follows restores', async () => {
    await docket.strike('job');
    const later = another();
    expect((await later.add('job')('later')).disposition).toBe(Disposition.STRUCK);
    await docket.restore('job');
    await waitUntil(() => lines(later).includes('LOG Restoring job'), 'the later process hears the restore');
    expect((await later.add('job')('restored')).disposition).toBe(Disposition.SCHEDULED);
    await new Worker(later).runUntilFinished();
    expect(ran).toEqual(['restored']);
  });

  it('a rule that cannot match is refused before anything is written', async () => {
    const bad: [Strike, string][] = [
      [{}, 'give a task, a parameter, or both'],
      [{ task: 'charge', parameter: 'amount' }, 'a parameter needs a value'],
      [{ task: 'charge', value: 5 }, 'a value needs a parameter'],
      [{ parameter: 'amount', operator: 'between', value: 5 }, 'between takes [lower, upper]'],
      [{ parameter: 'amount', operator: '>', value: null }, '> cannot order null'],
      [{ parameter: 'amount', operator: '~' as Strike['operator'], value: 1 }, 'operator must be one of'],
      [{ parameter: 'amount', value: {} as unknown as string }, 'the value must be a string, number, bigint, boolean, Date or null'],
      [{ parameter: 'amount', value: NaN }, 'the value must be a string, number, bigint, boolean, Date or null'],
      [{ parameter: 'amount', operator: 'between', value: [null, 5] }, 'between cannot order null or booleans'],
    ];
    for (const [strike, message] of bad) {
      const error = await docket.strike(strike).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toContain(message);
    }
    const error = await docket.restore({}).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Cannot restore \*: give a task/);
    expect(await docket.strikes()).toEqual([]);
  });

  it('a first add with Redis gone fails at once with RedisUnavailableError, and the docket still closes', async () => {
    const server = await RedisServer.start();
    const alone = new Docket({ name: docket.name, url: server.url, logger: new MemoryLogger() });
    registerTasks(alone);
    try {
      await alone.connect();
      await server.kill();
      await expect(alone.add('job')('while down')).rejects.toThrow(RedisUnavailableError);
    } finally {
      await alone.close();
      await server.stop();
    }
  });
});
