import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ExecutionState, Worker, currentTask } from '../../lib';
import { closeAfterEach, dropDocket, leakedKeys, redisUrl, testDocket, waitUntil } from '../support/docket-test';

describe('a worker killed mid-task', () => {
  const keep = closeAfterEach();

  it('has its tasks completed by another worker after the redelivery timeout', async () => {
    const docket = keep(testDocket());
    const doomed = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fixtures', 'crash-worker.ts'), docket.name, redisUrl()],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    doomed.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => doomed.once('exit', (_code, signal) => resolve(signal)));

    const ran: string[] = [];
    docket.register(async function slow(label: string): Promise<string> {
      ran.push(`${label}@${currentTask().worker}`);
      return `${label} recovered`;
    });
    const executions = await Promise.all(['a', 'b', 'c'].map((label) => docket.add('slow', { key: `crash-${label}` })(label)));
    await waitUntil(() => (output.match(/STARTED/g) ?? []).length === 3, 'the doomed worker runs all three', 20_000);
    for (const e of executions) expect((await e.sync()).state).toBe(ExecutionState.RUNNING);
    doomed.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const rescuer = keep(new Worker(docket, { name: 'rescuer', redeliveryTimeout: 400 }));
    const run = rescuer.runForever();
    const results = await Promise.all(executions.map((e) => e.getResult({ timeout: 15_000 })));
    expect(results).toEqual(['a recovered', 'b recovered', 'c recovered']);
    expect(ran.sort()).toEqual(['a@rescuer', 'b@rescuer', 'c@rescuer']);
    for (const e of executions) expect(e.worker).toBe('rescuer');
    await rescuer.stop();
    await run;
    expect((await docket.snapshot()).streamLength).toBe(0);
    expect(await leakedKeys(docket)).toEqual([]);
    await docket.close();
    await dropDocket(docket);
  });

  it('keeps a long task of a live worker from being taken over (lease renewal)', async () => {
    const docket = keep(testDocket());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    docket.register(async function long(): Promise<string> {
      ran.push(currentTask().worker);
      await gate;
      return 'done';
    });
    const owner = keep(new Worker(docket, { name: 'owner', redeliveryTimeout: 200 }));
    const ownerRun = owner.runForever();
    const execution = await docket.add('long')();
    await waitUntil(() => ran.length === 1, 'the owner runs the task');
    const claimedAt = Date.now();
    const thief = keep(new Worker(docket, { name: 'thief', redeliveryTimeout: 200 }));
    const thiefRun = thief.runForever();
    // Sweeps keep running until the task has been held for three redelivery timeouts: without
    // the owner's lease renewal one of them would take it over.
    await waitForSweeps(docket, (count) => count >= 5 && Date.now() - claimedAt > 600);
    release();
    await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('done');
    expect(ran).toEqual(['owner']);
    await Promise.all([owner.stop(), thief.stop()]);
    await Promise.all([ownerRun, thiefRun]);
    await docket.close();
    await dropDocket(docket);
  });
});

/** Counts sweeps (each writes the redelivery cursor) until `done(count)` holds. */
async function waitForSweeps(docket: ReturnType<typeof testDocket>, done: (count: number) => boolean): Promise<number> {
  const Redis = (await import('ioredis')).default;
  const watcher = new Redis(redisUrl());
  const admin = new Redis(redisUrl());
  const [, previous] = (await admin.config('GET', 'notify-keyspace-events')) as [string, string];
  // Keyspace events for string commands ($) on keys (K), added to what the server had.
  await admin.config('SET', 'notify-keyspace-events', `${previous}K$`);
  let count = 0;
  try {
    await watcher.subscribe(`__keyspace@0__:${docket.keys.sweepCursor}`);
    await new Promise<void>((resolve) =>
      watcher.on('message', () => {
        if (done(++count)) resolve();
      }),
    );
    return count;
  } finally {
    await admin.config('SET', 'notify-keyspace-events', previous);
    watcher.disconnect();
    admin.disconnect();
  }
}

describe('stopping a worker', () => {
  const keep = closeAfterEach();

  it('stopped while still starting leaves nothing behind', async () => {
    const docket = keep(testDocket());
    const worker = keep(new Worker(docket, { name: 'short-lived' }));
    const run = worker.runForever();
    await worker.stop();
    await run;
    expect(await docket.workers()).toEqual([]);
    await docket.close();
    await dropDocket(docket);
  });

  it('drains running tasks up to the drain timeout and leaves the rest to redelivery', async () => {
    const docket = keep(testDocket());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    docket.register(async function quickish(label: string): Promise<string> {
      started.push(label);
      await gate;
      return label;
    });
    docket.register(async function endless(): Promise<void> {
      started.push('endless');
      await new Promise(() => undefined);
    });
    const worker = keep(new Worker(docket));
    const run = worker.runForever();
    const finishing = await docket.add('quickish')('finishing');
    const abandoned = await docket.add('endless')();
    await waitUntil(() => started.length === 2, 'both run');
    const stopping = worker.stop({ drainTimeout: 300 });
    release();
    await stopping;
    await run;
    await expect(finishing.getResult({ timeout: 1_000 })).resolves.toBe('finishing');
    expect((await abandoned.sync()).state).toBe(ExecutionState.RUNNING);
    expect(await docket.workers()).toEqual([]);
    // The abandoned run is redelivered to the next worker once its lease has lapsed.
    const rescuer = keep(new Worker(docket, { redeliveryTimeout: 200 }));
    const rescued = rescuer.runForever();
    await waitUntil(() => started.length === 3, 'the abandoned task runs again');
    expect(started).toEqual(['finishing', 'endless', 'endless']);
    await docket.cancel(abandoned.key);
    await expect(abandoned.getResult({ timeout: 5_000 })).rejects.toThrow('cancelled');
    await rescuer.stop({ drainTimeout: 0 });
    await rescued;
    await docket.close();
    await dropDocket(docket);
  });
});
