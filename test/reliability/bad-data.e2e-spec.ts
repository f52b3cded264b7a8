/**
 * Garbage written into each key and channel the engine reads, one case each. Every case checks
 * that the process lives, that good work added before and after the garbage completes, that the
 * bad item is quarantined or dropped with a log line, and that nothing is left RUNNING.
 */
import Redis from 'ioredis';
import { lastValueFrom, toArray } from 'rxjs';
import { DocketTaskError, ExecutionState, Worker, type Docket, type Execution } from '../../lib';
import { MemoryLogger, dropDocket, leakedKeys, redisUrl, testDocket, waitUntil } from '../support/docket-test';

let admin: Redis;
beforeAll(() => {
  admin = new Redis(redisUrl());
});
afterAll(() => admin.disconnect());

/** A docket with a task `echo` and a worker, and the good work of the case. */
async function scene(): Promise<{ docket: Docket; logger: MemoryLogger; worker: () => Worker; close: () => Promise<void> }> {
  const logger = new MemoryLogger();
  const docket = testDocket({ logger });
  docket.register(async function echo(value: string): Promise<string> {
    return value;
  });
  const workers: Worker[] = [];
  return {
    docket,
    logger,
    worker: () => {
      const worker = new Worker(docket, { name: `w${workers.length}`, redeliveryTimeout: 500, schedulingResolution: 20 });
      workers.push(worker);
      void worker.runForever();
      return worker;
    },
    close: async () => {
      for (const worker of workers) await worker.stop();
      await docket.close();
      await dropDocket(docket);
    },
  };
}

async function expectCompleted(executions: Execution[]): Promise<void> {
  for (const e of executions) expect(await e.getResult({ timeout: 10_000 })).toBe(e.args[0]);
}

async function expectNothingRunning(docket: Docket): Promise<void> {
  await waitUntil(async () => (await docket.snapshot()).running.length === 0, 'nothing is left running');
}

const warned = (logger: MemoryLogger, text: string): boolean => logger.lines.some((l) => l.startsWith('WARN') && l.includes(text));

describe('garbage in the stream', () => {
  it('quarantines an entry without a key that is there when the worker starts, and runs the rest', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      const before = await docket.add('echo')('before');
      await admin.xadd(docket.keys.stream, '*', 'nonsense', 'x');
      const after = await docket.add('echo')('after');
      worker();
      await expectCompleted([before, after]);
      const { items, total } = await docket.quarantine.list();
      expect(total).toBe(1);
      expect(items[0]).toMatchObject({ what: 'message', reason: 'a stream entry without a key' });
      expect(items[0].raw).toContain('nonsense');
      await waitUntil(() => warned(logger, 'Quarantined stream message'), 'the worker logged it');
      expect(logger.lines.filter((l) => l.includes('Quarantined stream message'))).toHaveLength(1);
      expect((await docket.snapshot()).streamLength).toBe(0);
      await expectNothingRunning(docket);
    } finally {
      await close();
    }
  });

  it('drops a second entry for a run that is already running, even redelivered by the sweep, instead of running it twice', async () => {
    const { docket, worker, close } = await scene();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(async function once(): Promise<string> {
      runs++;
      await gate;
      return 'once';
    });
    try {
      worker();
      const execution = await docket.add('once')();
      await waitUntil(() => runs === 1, 'it runs');
      const gen = await admin.hget(docket.keys.runs(execution.key), 'gen');
      const duplicate = (await admin.xadd(docket.keys.stream, '*', 'key', execution.key, 'gen', gen!))!;
      const after = await docket.add('echo')('after');
      await expectCompleted([after]);
      // Delivered to the worker running the run, then taken up again by its sweep as abandoned:
      // a redelivery of a running run, which must still not start it twice.
      const pending = async (): Promise<boolean> =>
        ((await admin.xpending(docket.keys.stream, docket.keys.group, duplicate, duplicate, 1)) as unknown[]).length > 0;
      await waitUntil(async () => !(await pending()), 'the duplicate is dropped');
      expect(runs).toBe(1);
      release();
      expect(await execution.getResult({ timeout: 10_000 })).toBe('once');
      expect(runs).toBe(1);
      await expectNothingRunning(docket);
    } finally {
      release();
      await close();
    }
  });
});

describe('garbage in records', () => {
  it.each([
    ['seq', 'not-a-number', 'its seq is not a number'],
    ['state', 'zombie', 'its state is none of ours'],
    ['when', 'soon', 'its when is not a number'],
  ])('fails a queued record whose %s is %j with the reason, quarantines it, and runs the rest', async (field, value, reason) => {
    const { docket, logger, worker, close } = await scene();
    try {
      const before = await docket.add('echo')('before');
      const bad = await docket.add('echo')('bad');
      await admin.hset(docket.keys.runs(bad.key), field, value);
      const after = await docket.add('echo')('after');
      worker();
      await expectCompleted([before, after]);
      await expect(bad.getResult({ timeout: 10_000 })).rejects.toThrow(DocketTaskError);
      expect((await bad.sync()).state).toBe(ExecutionState.FAILED);
      expect(bad.error).toContain(reason);
      const { items } = await docket.quarantine.list();
      expect(items).toEqual([expect.objectContaining({ what: 'record', key: bad.key, reason })]);
      expect(items[0].raw).toContain(value);
      expect(warned(logger, `Quarantined stream message`)).toBe(true);
      await expectNothingRunning(docket);
      expect(await leakedKeys(docket)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fails a record whose seq is overwritten while it runs, and records every other outcome', async () => {
    const { docket, worker, close } = await scene();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(async function held(): Promise<string> {
      await gate;
      return 'held';
    });
    try {
      worker();
      const bad = await docket.add('held')();
      await waitUntil(async () => (await bad.sync()).state === ExecutionState.RUNNING, 'it runs');
      await admin.hset(docket.keys.runs(bad.key), 'seq', 'garbage');
      const others = await Promise.all(['a', 'b', 'c'].map((v) => docket.add('echo')(v)));
      release();
      await expectCompleted(others);
      await expect(bad.getResult({ timeout: 10_000 })).rejects.toThrow(/could not be read \(its seq is not a number\)/);
      expect((await docket.quarantine.list()).items).toEqual([expect.objectContaining({ what: 'record', key: bad.key })]);
      await expectNothingRunning(docket);
    } finally {
      release();
      await close();
    }
  });

  it('returns null for a record a reader cannot read, with a log line, instead of throwing', async () => {
    const { docket, logger, close } = await scene();
    try {
      const execution = await docket.add('echo')('x');
      await admin.hset(docket.keys.runs(execution.key), 'attempt', 'many');
      expect(await docket.getExecution(execution.key)).toBeNull();
      expect(warned(logger, `Ignoring the record of ${execution.key}: its attempt is not a number`)).toBe(true);
      expect((await docket.snapshot()).queued).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('garbage in the queue of scheduled work', () => {
  it('quarantines a scheduled record that cannot be read, and moves the rest of the delayed work', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      const before = await docket.add('echo', { delay: 100 })('before');
      const bad = await docket.add('echo', { delay: 100 })('bad');
      await admin.hset(docket.keys.runs(bad.key), 'seq', '{}');
      await admin.zadd(docket.keys.queue, Date.now(), 'a-member-without-a-record');
      const after = await docket.add('echo', { delay: 150 })('after');
      worker();
      await expectCompleted([before, after]);
      await expect(bad.getResult({ timeout: 10_000 })).rejects.toThrow(/its seq or gen is missing or not a number/);
      await waitUntil(() => warned(logger, `Quarantined the scheduled record of ${bad.key}`), 'the worker logged it');
      expect(await admin.zcard(docket.keys.queue)).toBe(0);
      // Quarantined once, not once per pass of the due-mover.
      expect((await docket.quarantine.list()).total).toBe(1);
      expect(await admin.xlen(docket.keys.stream)).toBe(0);
      await expectNothingRunning(docket);
    } finally {
      await close();
    }
  });
});

describe('garbage on channels', () => {
  const garbage = ['x', 'null', '5', '{}', '[]', '{"type":"state","key":"k"}', '{"type":"progress","key":"k","seq":2}'];

  it("drops garbage on an execution's events channel: its Observable goes on and completes", async () => {
    const { docket, logger, worker, close } = await scene();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    docket.register(async function held(): Promise<string> {
      await gate;
      return 'held';
    });
    try {
      const execution = await docket.add('held')();
      const seen = lastValueFrom(execution.subscribe().pipe(toArray()));
      await waitUntil(async () => ((await admin.pubsub('NUMSUB', docket.keys.events(execution.key))) as [string, number])[1] > 0, 'subscribed');
      for (const message of garbage) await admin.publish(docket.keys.events(execution.key), message);
      worker();
      await waitUntil(async () => (await execution.sync()).state === ExecutionState.RUNNING, 'it runs');
      release();
      const events = await seen;
      expect(events.map((e) => (e.type === 'state' ? e.state : 'progress'))).toEqual(['queued', 'running', 'completed']);
      expect(warned(logger, 'Dropped "x" heard on')).toBe(true);
    } finally {
      release();
      await close();
    }
  });

  it('drops garbage heard by events$() and keeps delivering', async () => {
    const { docket, worker, close } = await scene();
    try {
      const heard: string[] = [];
      let ready!: () => void;
      const subscribed = new Promise<void>((resolve) => (ready = resolve));
      const subscription = docket.events$({ onReady: () => ready() }).subscribe((e) => heard.push(e.key));
      await subscribed;
      for (const message of garbage) await admin.publish(docket.keys.events('nobody'), message);
      worker();
      const after = await docket.add('echo')('after');
      await expectCompleted([after]);
      await waitUntil(() => heard.filter((k) => k === after.key).length >= 3, 'its events are heard');
      expect(heard.every((k) => k === after.key)).toBe(true);
      subscription.unsubscribe();
    } finally {
      await close();
    }
  });

  it('drops garbage on the result inbox: getResult() still resolves', async () => {
    const { docket, worker, close } = await scene();
    try {
      worker();
      const first = await docket.add('echo')('first');
      await expectCompleted([first]);
      const inbox = docket.resultInbox();
      const second = await docket.add('echo', { delay: 200 })('second');
      for (const message of [...garbage, '{"type":"superseded"}', `{"type":"state","key":"${second.key}","seq":9,"state":"running","gen":1}`]) {
        await admin.publish(inbox.channel, message);
      }
      expect(await second.getResult({ timeout: 10_000 })).toBe('second');
    } finally {
      await close();
    }
  });

  it('drops garbage on the strikes and cancel channels: strikes and cancels still work', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      worker();
      await expectCompleted([await docket.add('echo')('warm')]);
      for (const message of [...garbage, '{"op":"strike"}', '{"op":"explode","id":"x"}']) await admin.publish(docket.keys.strikesChannel, message);
      await admin.publish(docket.keys.cancelChannel, 'no-such-key');
      await expectCompleted([await docket.add('echo')('after')]);
      await docket.strike('echo');
      const struck = await docket.add('echo')('struck');
      expect(struck.state).toBe(ExecutionState.CANCELLED);
      await docket.restore('echo');
      await expectCompleted([await docket.add('echo')('restored')]);
      expect(warned(logger, 'heard on')).toBe(true);
    } finally {
      await close();
    }
  });
});

describe('garbage in the strikes hash and the worker records', () => {
  it('skips a strike it cannot read, with a log line, and applies the others', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      await admin.hset(docket.keys.strikes, 'not json', '{{{', 'not a rule', '{"operator":"~~"}', 'null', 'null');
      await docket.strike({ task: 'echo', parameter: 'value', value: 'blocked' });
      expect(await docket.strikes()).toEqual([{ task: 'echo', parameter: 'value', operator: '==', value: 'blocked' }]);
      expect(warned(logger, 'Ignoring a strike this process cannot read')).toBe(true);
      worker();
      const blocked = await docket.add('echo')('blocked');
      expect(blocked.state).toBe(ExecutionState.CANCELLED);
      await expectCompleted([await docket.add('echo')('fine')]);
    } finally {
      await close();
    }
  });

  it('lists a worker whose heartbeat record is garbage, without its tasks', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      const w = worker();
      await waitUntil(async () => (await docket.workers()).length === 1, 'the worker heartbeats');
      await admin.set(docket.keys.worker(w.name), 'not json');
      await admin.zadd(docket.keys.workers, Date.now(), 'ghost');
      await admin.set(docket.keys.worker('ghost'), '{"tasks":"echo","concurrency":"ten"}');
      const workers = await docket.workers();
      expect(workers.map((x) => x.name).sort()).toEqual(['ghost', w.name].sort());
      expect(workers.find((x) => x.name === 'ghost')).toMatchObject({ tasks: [], concurrency: undefined });
      expect(warned(logger, `Ignoring the heartbeat record of worker ${w.name}`)).toBe(true);
      expect((await docket.snapshot()).workers).toHaveLength(2);
      await admin.zrem(docket.keys.workers, 'ghost');
    } finally {
      await close();
    }
  });
});

describe('a damaged sweep cursor', () => {
  it('is started over, with a log line, and the sweep still takes over abandoned work', async () => {
    const { docket, logger, worker, close } = await scene();
    try {
      const abandoned = await docket.add('echo')('abandoned');
      // Delivered to a consumer that died before claiming it: only the sweep can take it over.
      await admin.xgroup('CREATE', docket.keys.stream, docket.keys.group, '0', 'MKSTREAM');
      await admin.xreadgroup('GROUP', docket.keys.group, 'ghost', 'COUNT', 10, 'STREAMS', docket.keys.stream, '>');
      await admin.set(docket.keys.sweepCursor, 'not-a-stream-id');
      worker();
      await expectCompleted([abandoned]);
      expect(warned(logger, "The redelivery sweep's cursor \"not-a-stream-id\" is not a stream id")).toBe(true);
    } finally {
      await close();
    }
  });
});

describe('one quarantine per docket', () => {
  it('shows in snapshot() and can be cleared', async () => {
    const { docket, worker, close } = await scene();
    try {
      await admin.xadd(docket.keys.stream, '*', 'nonsense', '1');
      await admin.xadd(docket.keys.stream, '*', 'nonsense', '2');
      worker();
      await waitUntil(async () => (await docket.snapshot()).quarantined === 2, 'both are quarantined');
      const { items } = await docket.quarantine.list();
      expect(await docket.quarantine.get(items[1].id)).toEqual(items[1]);
      expect(await docket.quarantine.clear([items[0].id])).toBe(1);
      expect((await docket.quarantine.list()).items.map((i) => i.id)).toEqual([items[1].id]);
      expect(await docket.quarantine.clear()).toBe(1);
      expect((await docket.snapshot()).quarantined).toBe(0);
    } finally {
      await close();
    }
  });
});
