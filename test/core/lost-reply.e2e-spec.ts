import { Disposition, Docket, ExecutionState, Worker } from '../../lib';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { proxiedRedis } from '../support/tcp-proxy';

/**
 * Replies Redis wrote that never reached the worker: a proxy drops the connection at the very
 * chunk that carries them, so Redis has done the work and only the answer is lost. The worker
 * reconnects, ioredis sends the unanswered commands again, and the worker recovers its own
 * pending messages; every task must still run once and be recorded once.
 */
describe('a reply lost on its way to the worker', () => {
  const redis = proxiedRedis();

  async function setUp(name: string): Promise<{ docket: Docket; logger: MemoryLogger; ran: string[]; worker: Worker; run: Promise<void> }> {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName(name), url: redis.proxy.url, logger });
    const ran: string[] = [];
    docket.register(async function double(tag: string, n: number): Promise<number> {
      ran.push(tag);
      return n * 2;
    });
    const worker = new Worker(docket, { concurrency: 2 });
    const run = worker.runForever();
    // Idle and blocked on the stream: a new task is claimed by the wait's pipelined claim.
    await waitUntil(async () => / name=docket:blocking:\S* .*flags=b /.test(String(await redis.admin.client('LIST'))), 'the worker waits');
    return { docket, logger, ran, worker, run };
  }

  async function tearDown({ docket, worker, run }: { docket: Docket; worker: Worker; run: Promise<void> }): Promise<void> {
    await worker.stop();
    await run;
    await docket.close();
  }

  it('loses the claim: the task runs once, after the reconnect', async () => {
    const setup = await setUp('lost-claim');
    const { docket, logger, ran } = setup;
    try {
      const key = `${docket.name}:first`;
      const cut = redis.proxy.cutOnce(/docket:blocking/, (chunk) => chunk.includes(key));
      const first = await docket.add('double', { key })('first', 21);
      await cut;
      await expect(first.getResult({ timeout: 15_000 })).resolves.toBe(42);
      // The resent wait and claim are served when the next task arrives; the first one, held by
      // this worker already, is not started again.
      await expect((await docket.add('double')('second', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['first', 'second']);
      expect(logger.lines.some((l) => /Lost the blocking connection/.test(l))).toBe(true);
      await waitUntil(async () => (await docket.snapshot()).streamLength === 0, 'both messages are acknowledged');
    } finally {
      await tearDown(setup);
    }
  });

  it('loses the answer to an outcome: it is recorded once, with one terminal event', async () => {
    const setup = await setUp('lost-outcome');
    const { docket, ran } = setup;
    const states: string[] = [];
    const key = `${docket.name}:first`;
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    const watching = docket.events$({ onReady: ready }).subscribe((e) => {
      if (e.key === key && e.type === 'state') states.push(e.state);
    });
    try {
      await listening;
      // The complete script answers 'completed' for the run; that answer is lost.
      const cut = redis.proxy.cutOnce(/docket:blocking/, (chunk) => chunk.includes('$9\r\ncompleted\r\n'));
      const first = await docket.add('double', { key })('first', 21);
      await cut;
      await expect(first.getResult({ timeout: 15_000 })).resolves.toBe(42);
      await expect((await docket.add('double')('second', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['first', 'second']);
      await waitUntil(async () => (await docket.snapshot()).streamLength === 0, 'both messages are acknowledged');
      expect((await first.sync()).state).toBe(ExecutionState.COMPLETED);
      expect(states).toEqual([ExecutionState.QUEUED, ExecutionState.RUNNING, ExecutionState.COMPLETED]);
    } finally {
      watching.unsubscribe();
      await tearDown(setup);
    }
  });

  it("loses the answer to an add: the add resends, says it scheduled the task, and it runs once", async () => {
    const setup = await setUp('lost-add');
    const { docket, ran } = setup;
    try {
      await docket.connect();
      // The schedule script's answer to one add: its generation, 1.
      const cut = redis.proxy.cutOnce(/docket:command/, (chunk) => chunk === '*1\r\n:1\r\n');
      const first = await docket.add('double')('first', 21);
      await cut;
      expect(first.disposition).toBe(Disposition.SCHEDULED);
      await expect(first.getResult({ timeout: 15_000 })).resolves.toBe(42);
      await expect((await docket.add('double')('second', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['first', 'second']);
    } finally {
      await tearDown(setup);
    }
  });

  it('loses the answer to a replace: the resent replace does not replace its own run again', async () => {
    const setup = await setUp('lost-replace');
    const { docket, ran } = setup;
    try {
      const key = `${docket.name}:digest`;
      await docket.add('double', { key, delay: 60_000 })('original', 1);
      // The answer to the replace: generation 2. By the time the replace is sent again, after the
      // reconnect, the worker is running generation 2.
      const cut = redis.proxy.cutOnce(/docket:command/, (chunk) => chunk === '*1\r\n:2\r\n');
      const replaced = await docket.replace('double', { key })('replacement', 21);
      await cut;
      expect(replaced.disposition).toBe(Disposition.REPLACED);
      await expect(replaced.getResult({ timeout: 15_000 })).resolves.toBe(42);
      await expect((await docket.add('double')('next', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['replacement', 'next']);
    } finally {
      await tearDown(setup);
    }
  });

  it('loses the answer to a batch that replaces one key twice: sent again, it changes nothing and the task runs once', async () => {
    const setup = await setUp('lost-replace-twice');
    const { docket, ran } = setup;
    try {
      const key = `${docket.name}:digest`;
      await docket.add('double', { key, delay: 60_000 })('original', 1);
      // One script call answers both replaces of the tick: generations 2 and 3.
      const cut = redis.proxy.cutOnce(/docket:command/, (chunk) => chunk === '*2\r\n:2\r\n:3\r\n');
      const [first, second] = await Promise.all([
        docket.replace('double', { key })('first-replace', 1),
        docket.replace('double', { key })('second-replace', 21),
      ]);
      await cut;
      expect([first.disposition, second.disposition]).toEqual([Disposition.REPLACED, Disposition.REPLACED]);
      await expect(second.getResult({ timeout: 15_000 })).resolves.toBe(42);
      await expect((await docket.add('double')('next', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['second-replace', 'next']);
    } finally {
      await tearDown(setup);
    }
  });

  it('a prepared call under a caller\'s key, sent again after it ran, is answered as the first time and never runs twice', async () => {
    const setup = await setUp('prepared-again');
    const { docket, ran } = setup;
    try {
      const call = docket.call('double', { key: `${docket.name}:once` })('prepared', 21);
      const [first] = await docket.addMany([call]);
      await expect(first.getResult({ timeout: 15_000 })).resolves.toBe(42);
      const [again] = await docket.addMany([call]);
      expect(again.key).toBe(first.key);
      await expect((await docket.add('double')('next', 1)).getResult({ timeout: 15_000 })).resolves.toBe(2);
      expect(ran).toEqual(['prepared', 'next']);
    } finally {
      await tearDown(setup);
    }
  });

  it("loses a busy worker's claim: the claimed tasks run once, after the reconnect, not after the redelivery timeout", async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('lost-busy-claim'), url: redis.proxy.url, logger });
    const ran: string[] = [];
    docket.register(async function double(tag: string, n: number): Promise<number> {
      ran.push(tag);
      return n * 2;
    });
    // Queued before the worker starts: its first fetch is the busy worker's claim, on its command connection.
    const queued = await docket.addMany(['a', 'b', 'c'].map((tag, n) => docket.call('double', { key: `${docket.name}:${tag}` })(tag, n)));
    const cut = redis.proxy.cutOnce(/docket:worker/, (chunk) => chunk.includes(`${docket.name}:a`));
    const worker = new Worker(docket, { concurrency: 5, redeliveryTimeout: 600_000 });
    const run = worker.runForever();
    try {
      await cut;
      await expect(Promise.all(queued.map((e) => e.getResult({ timeout: 15_000 })))).resolves.toEqual([0, 2, 4]);
      expect([...ran].sort()).toEqual(['a', 'b', 'c']);
      expect(logger.lines.some((l) => /Lost the worker connection/.test(l))).toBe(true);
    } finally {
      await worker.stop();
      await run;
      await docket.close();
    }
  });

  it('loses the answer to a run parked by its concurrency limit: the resent ask parks it again, and it runs once, after the holder', async () => {
    const docket = new Docket({ name: uniqueName('lost-acquire'), url: redis.proxy.url, logger: new MemoryLogger() });
    const ran: string[] = [];
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let going = 0;
    let most = 0;
    docket.register(
      async function exclusive(tag: string): Promise<string> {
        ran.push(tag);
        most = Math.max(most, ++going);
        if (tag === 'holder') await holding;
        going--;
        return tag;
      },
      { concurrency: 1 },
    );
    // No due-work ticks on the worker connection meanwhile: the lost answer is the acquire's.
    const worker = new Worker(docket, { concurrency: 5, schedulingResolution: 600_000 });
    const run = worker.runForever();
    try {
      const holder = await docket.add('exclusive')('holder');
      await waitUntil(() => ran.length === 1, 'the holder runs');
      // The acquire script answers 0 when it parks a run; that answer is lost.
      const cut = redis.proxy.cutOnce(/docket:worker/, (chunk) => chunk === ':0\r\n');
      const waiter = await docket.add('exclusive')('waiter');
      await cut;
      await waitUntil(async () => (await waiter.sync()).waitingFor === 'exclusive', 'the waiter is parked');
      expect(ran).toEqual(['holder']);
      release();
      await expect(Promise.all([holder.getResult({ timeout: 15_000 }), waiter.getResult({ timeout: 15_000 })])).resolves.toEqual(['holder', 'waiter']);
      expect(ran).toEqual(['holder', 'waiter']);
      expect(most).toBe(1);
    } finally {
      release();
      await worker.stop();
      await run;
      await docket.close();
    }
  });
});
