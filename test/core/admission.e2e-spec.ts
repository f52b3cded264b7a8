/**
 * Admission rules decided at the add, on either backend: debounce runs a task once calls stop
 * for its window, with the last call's arguments, per task or per value of its key.
 */
import { Disposition, ExecutionState, InvalidOptionsError, TaskInCooldownError, Worker, type Agenda, type Docket } from '../../lib';
import { closeAfterEach, testDocket, waitUntil } from '../support/docket-test';

describe('debounce', () => {
  const opened = closeAfterEach();
  let docket: Docket;

  beforeEach(() => {
    docket = opened(testDocket());
  });

  it('runs once after the calls stop, with the last call’s arguments', async () => {
    const ran: string[] = [];
    docket.register(
      async function reindex(reason: string): Promise<string> {
        ran.push(reason);
        return reason;
      },
      { debounce: 300 },
    );
    const calls = [];
    for (const reason of ['edit 1', 'edit 2', 'edit 3']) calls.push(await docket.add('reindex')(reason));
    expect(calls.map((c) => c.disposition)).toEqual([Disposition.SCHEDULED, Disposition.REPLACED, Disposition.REPLACED]);
    expect(new Set(calls.map((c) => c.key)).size).toBe(1);
    expect(calls[2].state).toBe(ExecutionState.SCHEDULED);
    expect(calls[2].when.getTime()).toBeGreaterThan(Date.now() + 100);

    void opened(new Worker(docket, { schedulingResolution: 20 })).runForever();
    await expect(calls[2].getResult({ timeout: 10_000 })).resolves.toBe('edit 3');
    // The earlier calls were replaced: they never run, and nothing else is waiting.
    expect(ran).toEqual(['edit 3']);
    const { scheduled, queued, running } = await docket.snapshot();
    expect([...scheduled, ...queued, ...running]).toEqual([]);
  });

  it('with a key, debounces each value apart', async () => {
    const ran: string[] = [];
    docket.register(
      async function syncCustomer(id: string, version: number): Promise<void> {
        ran.push(`${id}@${version}`);
      },
      { debounce: { window: 200, key: (id: string) => id } },
    );
    const last = [];
    for (const [id, version] of [['ada', 1], ['bob', 1], ['ada', 2], ['bob', 2], ['ada', 3]] as const) last.push(await docket.add('syncCustomer')(id, version));
    await opened(new Worker(docket, { schedulingResolution: 20 })).runUntilFinished();
    expect(ran.sort()).toEqual(['ada@3', 'bob@2']);
  });

  it('refuses a window that is not a positive number, and a key that throws, with nothing added', async () => {
    const fn = async function notify(to: string): Promise<string> {
      return to;
    };
    expect(() => docket.register(fn, { debounce: 0 })).toThrow(/Task "notify": debounce window must be a number of ms > 0/);
    expect(() => docket.register(fn, { debounce: { window: -5 } })).toThrow(InvalidOptionsError);
    expect(() => docket.register(fn, { debounce: { window: 100, key: 'to' as unknown as (to: string) => string } })).toThrow(/Task "notify": debounce.key must be a function/);
    docket.register(fn, {
      debounce: {
        window: 100,
        key: (to: string) => {
          if (!to) throw new Error('no address');
          return to;
        },
      },
    });
    await expect(docket.add('notify')('')).rejects.toThrow(/Task "notify": debounce.key threw for these arguments \(no address\); nothing was added/);
    const { scheduled, queued } = await docket.snapshot();
    expect([...scheduled, ...queued]).toEqual([]);
  });
});

describe('cooldown', () => {
  const opened = closeAfterEach();
  let docket: Docket;

  beforeEach(() => {
    docket = opened(testDocket());
  });

  it('runs the first call, drops the others within the window with a Disposition that says so, per value of its key', async () => {
    const sent: string[] = [];
    docket.register(
      async function alert(host: string, what: string): Promise<void> {
        sent.push(`${host}: ${what}`);
      },
      { cooldown: { window: 600_000, key: (host: string) => host } },
    );
    const first = await docket.add('alert')('db1', 'disk full');
    const again = await docket.add('alert')('db1', 'disk still full');
    const other = await docket.add('alert')('db2', 'disk full');
    expect([first.disposition, again.disposition, other.disposition]).toEqual([Disposition.SCHEDULED, Disposition.IN_COOLDOWN, Disposition.SCHEDULED]);
    expect(again.state).toBe(ExecutionState.CANCELLED);
    await expect(again.getResult()).rejects.toThrow(TaskInCooldownError);
    await expect(again.getResult()).rejects.toThrow(/was not added: it came within the 600000 ms cooldown of an earlier call/);
    expect(await docket.getExecution(again.key)).toBeNull();
    await opened(new Worker(docket)).runUntilFinished();
    expect(sent.sort()).toEqual(['db1: disk full', 'db2: disk full']);
  });

  it('lets a call through again once the window has passed', async () => {
    docket.register(async function ping(): Promise<string> {
      return 'pong';
    }, { cooldown: 200 });
    const first = await docket.add('ping')();
    expect((await docket.add('ping')()).disposition).toBe(Disposition.IN_COOLDOWN);
    await waitUntil(async () => (await docket.add('ping')()).disposition === Disposition.SCHEDULED, 'the window passed');
    expect(first.disposition).toBe(Disposition.SCHEDULED);
    expect(() => docket.register(async function both(): Promise<void> {}, { cooldown: 100, debounce: 100 })).toThrow(/Task "both": give debounce or cooldown, not both/);
  });
});

describe('rate limit', () => {
  const opened = closeAfterEach();
  let docket: Docket;

  beforeEach(() => {
    docket = opened(testDocket());
  });

  it('starts at most `limit` runs per window; the rest wait SCHEDULED for the next free slot, saying why', async () => {
    const ran: number[] = [];
    docket.register(
      async function callPartner(n: number): Promise<void> {
        ran.push(n);
      },
      { rateLimit: { limit: 2, per: 600_000 } },
    );
    const executions = await docket.addMany([1, 2, 3, 4, 5].map((n) => docket.call('callPartner')(n)));
    void opened(new Worker(docket)).runForever();
    await waitUntil(async () => (await docket.snapshot()).scheduled.length === 3, 'three wait for the next slot');
    expect(ran).toHaveLength(2);
    const { scheduled } = await docket.snapshot();
    expect(scheduled.map((s) => s.waitingFor)).toEqual(['rate limit callPartner', 'rate limit callPartner', 'rate limit callPartner']);
    for (const s of scheduled) expect(s.when.getTime()).toBeGreaterThan(Date.now() + 500_000);
    const states = await Promise.all(executions.map(async (e) => (await e.sync()).state));
    expect(states.filter((s) => s === ExecutionState.COMPLETED)).toHaveLength(2);
  });

  it('a run its concurrency limit parks gives its rate slot back, so it is counted once, when it starts', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(
      async function export_(n: number): Promise<number> {
        if (n === 1) await gate;
        return n;
      },
      { name: 'export', rateLimit: { limit: 2, per: 600_000 }, concurrency: 1 },
    );
    const first = await docket.add('export')(1);
    void opened(new Worker(docket, { concurrency: 4 })).runForever();
    await waitUntil(async () => (await first.sync()).state === ExecutionState.RUNNING, 'the first run holds the one place');
    const second = await docket.add('export')(2);
    await waitUntil(async () => (await second.sync()).waitingFor === 'export', 'the second waits for the place');
    release();
    // Two runs, two slots of a limit of two: the second starts when the place frees, not a window later.
    await expect(second.getResult({ timeout: 10_000 })).resolves.toBe(2);
    const third = await docket.add('export')(3);
    await waitUntil(async () => (await third.sync()).waitingFor === 'rate limit export', 'a third is over the limit');
  });

  it('with drop, a run over the limit ends CANCELLED instead; per value of its key', async () => {
    docket.register(
      async function sendSms(phone: string, text: string): Promise<string> {
        return `${phone}: ${text}`;
      },
      { rateLimit: { limit: 1, per: 600_000, key: (phone: string) => phone, drop: true } },
    );
    const [a1, a2, b1] = await docket.addMany([docket.call('sendSms')('+1', 'hi'), docket.call('sendSms')('+1', 'again'), docket.call('sendSms')('+2', 'hi')]);
    await opened(new Worker(docket)).runUntilFinished();
    await expect(a1.getResult()).resolves.toBe('+1: hi');
    await expect(b1.getResult()).resolves.toBe('+2: hi');
    expect((await a2.sync()).state).toBe(ExecutionState.CANCELLED);
  });

  it('refuses a limit that is not a whole number ≥ 1, a window that is not positive, and a drop that is not a boolean', () => {
    const fn = async function limited(): Promise<void> {};
    expect(() => docket.register(fn, { rateLimit: { limit: 0, per: 1_000 } })).toThrow(/Task "limited": rateLimit.limit must be a whole number ≥ 1/);
    expect(() => docket.register(fn, { rateLimit: { limit: 1, per: -1 } })).toThrow(/Task "limited": rateLimit.per must be a number of ms > 0/);
    expect(() => docket.register(fn, { rateLimit: { limit: 1, per: 1_000, drop: 'yes' as unknown as boolean } })).toThrow(InvalidOptionsError);
  });
});

describe('agenda', () => {
  const opened = closeAfterEach();

  it('scatters collected calls evenly over a window; with keys, a second scatter finds them scheduled', async () => {
    const docket = opened(testDocket());
    docket.register(async function report(region: string): Promise<string> {
      return region;
    });
    const start = new Date(Date.now() + 3_600_000);
    const regions = ['north', 'south', 'east', 'west'];
    const plan = (): Agenda => {
      const agenda = docket.agenda();
      for (const region of regions) agenda.add('report', { key: `report:${region}` })(region);
      return agenda;
    };
    const first = await plan().scatter({ over: 40 * 60_000, start });
    expect(first.map((e) => e.when.getTime() - start.getTime())).toEqual([0, 10, 20, 30].map((m) => m * 60_000));
    expect(first.every((e) => e.state === ExecutionState.SCHEDULED && e.disposition === Disposition.SCHEDULED)).toBe(true);
    const again = await plan().scatter({ over: 40 * 60_000, start });
    expect(again.map((e) => e.disposition)).toEqual(regions.map(() => Disposition.ALREADY_SCHEDULED));
    expect((await docket.snapshot()).scheduled).toHaveLength(4);

    const jittered = await docket.agenda().add('report')('one').add('report')('two').scatter({ over: 1_000, start, jitter: 500 });
    for (const [i, e] of jittered.entries()) {
      const offset = e.when.getTime() - start.getTime() - i * 500;
      expect(offset >= 0 && offset <= 500).toBe(true);
    }
    await expect(docket.agenda().add('report')('x').scatter({ over: 0 })).rejects.toThrow(/scatter\(\): over must be a number of ms > 0/);
    await expect(docket.agenda().add('report')('x').scatter({ over: 1_000, jitter: -1 })).rejects.toThrow(InvalidOptionsError);
  });
});
