import Redis from 'ioredis';
import { firstValueFrom, toArray } from 'rxjs';
import { ExecutionNotFoundError, ExecutionState, Worker, currentTask, type Docket, type ExecutionEvent } from '../../lib';
import { dropDocket, redisUrl, testDocket, waitUntil, itOnRedis } from '../support/docket-test';

const describeEvent = (e: ExecutionEvent): string => (e.type === 'state' ? e.state : `${e.current}/${e.total}${e.message ? ` ${e.message}` : ''}`);

describe('observing executions', () => {
  let docket: Docket;
  let step!: () => void;
  let stepped: Promise<void>;
  const arm = (): void => {
    stepped = new Promise<void>((resolve) => (step = resolve));
  };

  beforeEach(() => {
    docket = testDocket();
    arm();
    docket.register(async function batch(items: number): Promise<number> {
      const { progress } = currentTask();
      await progress.setTotal(items);
      for (let i = 0; i < items; i++) {
        await stepped;
        arm();
        await progress.increment();
        await progress.setMessage(`item ${i + 1}`);
        await progress.flush();
      }
      return items;
    });
    docket.register(async function burst(n: number): Promise<number> {
      const { progress } = currentTask();
      await progress.setTotal(n);
      for (let i = 0; i < n; i++) await progress.increment();
      return n;
    });
  });
  afterEach(async () => {
    await docket.close();
    await dropDocket(docket);
  });

  it('emits the snapshot first, then live events in order, and completes after the terminal state', async () => {
    const execution = await docket.add('batch')(3);
    const collected = firstValueFrom(execution.subscribe().pipe(toArray()));
    const worker = new Worker(docket);
    const run = worker.runForever();
    await waitUntil(async () => (await docket.getExecution(execution.key))?.progress.total === 3, 'running');
    for (let i = 1; i <= 3; i++) {
      step();
      await waitUntil(async () => (await docket.getExecution(execution.key))!.progress.current >= i, `item ${i} done`);
    }
    const events = await collected;
    expect(events.map(describeEvent)).toEqual([
      'queued',
      'running',
      '0/3',
      '1/3 item 1',
      '2/3 item 2',
      '3/3 item 3',
      'completed',
    ]);
    // The terminal event carries the result internally, never as a visible (or serialized) field.
    expect(JSON.stringify(events.at(-1))).not.toMatch(/result|failure/);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    await worker.stop();
    await run;
  });

  it('a subscriber attached mid-flight gets the snapshot, then strictly increasing events, terminal last', async () => {
    const execution = await docket.add('burst')(2_000);
    const worker = new Worker(docket);
    const run = worker.runForever();
    await waitUntil(async () => ((await docket.getExecution(execution.key))?.progress.current ?? 0) > 0, 'progress has started');
    const late = await firstValueFrom(docket.execution(execution.key).subscribe().pipe(toArray()));
    const seqs = late.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    expect(late.at(-1)).toMatchObject({ type: 'state', state: ExecutionState.COMPLETED });
    const lastProgress = late.filter((e) => e.type === 'progress').at(-1);
    expect(lastProgress).toMatchObject({ current: 2_000, total: 2_000 });
    await worker.stop();
    await run;
  });

  it('a subscriber attached while running starts from the current state and progress', async () => {
    const execution = await docket.add('batch')(3);
    const worker = new Worker(docket);
    const run = worker.runForever();
    await waitUntil(async () => (await docket.getExecution(execution.key))?.state === ExecutionState.RUNNING, 'running');
    step();
    await waitUntil(async () => (await docket.getExecution(execution.key))?.progress.current === 1, 'one item done');
    const seen: ExecutionEvent[] = [];
    const late = new Promise<void>((resolve) => docket.execution(execution.key).subscribe().subscribe({ next: (e) => seen.push(e), complete: resolve }));
    await waitUntil(() => seen.length === 2, 'the snapshot arrived');
    step();
    await waitUntil(async () => (await docket.getExecution(execution.key))?.progress.current === 2, 'two items done');
    step();
    await late;
    expect(seen.map(describeEvent)).toEqual(['running', '1/3 item 1', '2/3 item 2', '3/3 item 3', 'completed']);
    await worker.stop();
    await run;
  });

  it('coalesces bursts of increment() into a bounded number of writes, the last one exact', async () => {
    const execution = await docket.add('burst')(5_000);
    const events = firstValueFrom(execution.progress$.pipe(toArray()));
    await new Worker(docket).runUntilFinished();
    const progress = await events;
    expect(progress.length).toBeLessThan(100);
    expect(progress.at(-1)).toMatchObject({ current: 5_000, total: 5_000 });
    expect((await docket.getExecution(execution.key))!.progress).toMatchObject({ current: 5_000, total: 5_000 });
  });

  it('a progress message reads the same live, in the record and in the task, even one UTF-8 cannot carry', async () => {
    const message = 'naïve \u{1F600} "quoted" } \n and a lone \ud800 surrogate';
    let local: string | null = null;
    docket.register(async function say(text: string): Promise<void> {
      const { progress } = currentTask();
      await progress.setMessage(text);
      local = progress.message;
    });
    const execution = await docket.add('say')(message);
    const events = firstValueFrom(execution.progress$.pipe(toArray()));
    await new Worker(docket).runUntilFinished();
    const stored = (await docket.getExecution(execution.key))!.progress.message;
    expect(stored).toBe('naïve \u{1F600} "quoted" } \n and a lone \uFFFD surrogate');
    expect((await events).map((p) => p.message)).toEqual([stored]);
    expect(local).toBe(stored);
  });

  it('a finished execution emits its final snapshot at once and completes', async () => {
    const execution = await docket.add('burst')(3);
    await new Worker(docket).runUntilFinished();
    const events = await firstValueFrom(docket.execution(execution.key).subscribe().pipe(toArray()));
    expect(events.map(describeEvent)).toEqual(['3/3', 'completed']);
  });

  it('events$() says when it is listening, and every event from then on arrives', async () => {
    const heard: string[] = [];
    let subscription!: { unsubscribe(): void };
    await new Promise<void>((onReady) => {
      subscription = docket.events$({ onReady }).subscribe((e) => heard.push(`${e.key} ${e.type === 'state' ? e.state : 'progress'}`));
    });
    const execution = await docket.add('burst', { delay: 60_000 })(1);
    await waitUntil(() => heard.includes(`${execution.key} scheduled`), 'the first event after onReady arrived');
    subscription.unsubscribe();
    await docket.cancel(execution.key);
  });

  itOnRedis('events$() says it is listening only once a reconnecting subscriber is subscribed again', async () => {
    let first!: { unsubscribe(): void };
    await new Promise<void>((onReady) => (first = docket.events$({ onReady }).subscribe()));
    const admin = new Redis(redisUrl());
    const hubs = ((await admin.client('LIST')) as string).split('\n').filter((line) => line.includes(` name=docket:subscriber:${process.pid} `));
    for (const line of hubs) await admin.client('KILL', 'ID', line.match(/^id=(\d+)/)![1]);
    await waitUntil(() => docket.hub().status !== 'ready', 'the subscriber noticed');
    const heard: string[] = [];
    let key = '';
    const second = docket
      .events$({ onReady: () => void docket.add('burst', { delay: 60_000 })(1).then((e) => (key = e.key)) })
      .subscribe((e) => heard.push(`${e.key} ${e.type === 'state' ? e.state : 'progress'}`));
    await waitUntil(() => key !== '' && heard.includes(`${key} scheduled`), 'the event of the work added in onReady arrived');
    first.unsubscribe();
    second.unsubscribe();
    admin.disconnect();
  });

  it('errors with ExecutionNotFoundError for an unknown key', async () => {
    await expect(firstValueFrom(docket.execution('nope').subscribe())).rejects.toThrow(ExecutionNotFoundError);
  });

  itOnRedis('is cold: nothing is subscribed in Redis until someone subscribes, and unsubscribing releases it', async () => {
    const execution = await docket.add('burst', { delay: 60_000 })(1);
    const observable = execution.subscribe();
    const admin = new Redis(redisUrl());
    const channel = docket.keys.events(execution.key);
    const subscribers = async (): Promise<number> => ((await admin.pubsub('NUMSUB', channel)) as [string, number])[1];
    expect(await subscribers()).toBe(0);
    const sub = observable.subscribe();
    await waitUntil(async () => (await subscribers()) === 1, 'subscribed');
    sub.unsubscribe();
    await waitUntil(async () => (await subscribers()) === 0, 'unsubscribed');
    admin.disconnect();
  });

  it('every watcher of one execution hears its end, though the first one told stops listening then', async () => {
    const execution = await docket.add('burst', { delay: 60_000 })(1);
    // Resolves once the watch has its snapshot, with the promise of everything it will see.
    const watch = async (): Promise<{ done: Promise<ExecutionEvent[]> }> => {
      let live!: () => void;
      const started = new Promise<void>((resolve) => (live = resolve));
      const seen: ExecutionEvent[] = [];
      const done = new Promise<ExecutionEvent[]>((resolve, reject) => {
        execution.subscribe().subscribe({ next: (e) => (seen.push(e), live()), complete: () => resolve(seen), error: reject });
      });
      await started;
      return { done };
    };
    const watchers = [await watch(), await watch(), await watch()];
    await docket.cancel(execution.key);
    for (const events of await Promise.all(watchers.map((w) => w.done))) expect(events.map(describeEvent)).toEqual(['scheduled', 'cancelled']);
  });

  itOnRedis('serves 1,000 concurrent subscriptions over one Redis subscriber connection', async () => {
    const executions = await docket.addMany(Array.from({ length: 1_000 }, () => docket.call('burst', { delay: 60_000 })(1)));
    const admin = new Redis(redisUrl());
    const firsts = await Promise.all(executions.map((e) => firstValueFrom(e.subscribe())));
    expect(firsts.every((e) => e.type === 'state' && e.state === ExecutionState.SCHEDULED)).toBe(true);
    const subs = executions.map((e) => e.subscribe().subscribe());
    await waitUntil(async () => ((await admin.pubsub('NUMSUB', docket.keys.events(executions[999].key))) as [string, number])[1] === 1, 'all subscribed');
    const clients = (await admin.client('LIST')) as string;
    const subscriberConnections = clients.split('\n').filter((l) => l.includes(`name=docket:subscriber:${process.pid} `));
    expect(subscriberConnections).toHaveLength(1);
    // 1,000 executions' channels, and the docket's strikes channel (followed since the first add).
    expect(subscriberConnections[0]).toMatch(/sub=1001 /);
    subs.forEach((s) => s.unsubscribe());
    admin.disconnect();
    await docket.clear();
  });
});
