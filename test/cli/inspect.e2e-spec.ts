import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState, Worker, type Docket } from '../../lib';
import { dropDocket, redisUrl, testDocket } from '../support/docket-test';
import { runCli } from './support/cli-process';
import { registerControlledTask, type Controller } from './support/controlled-task';

describe('docket snapshot, workers, clear and tasks', () => {
  let docket: Docket;
  let control: Controller;
  let worker: Worker | undefined;
  let env: Record<string, string>;

  beforeEach(() => {
    docket = testDocket();
    control = registerControlledTask(docket, 'blocker');
    docket.register(async function noop(): Promise<void> {});
    worker = undefined;
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name };
  });

  afterEach(async () => {
    control.finish();
    await worker?.stop({ drainTimeout: 5_000 });
    await docket.close();
    await dropDocket(docket);
  });

  /** One running execution (at 60/100) on a busy worker, two queued and one scheduled. */
  const populate = async (): Promise<{ running: string; queued: string[]; scheduled: string }> => {
    const blocker = await docket.add('blocker')();
    worker = new Worker(docket, { name: `cli-inspect-${docket.name}`, concurrency: 1 });
    void worker.runForever();
    await firstValueFrom(blocker.progress$.pipe(filter((p) => p.current === 60)));
    const queued = [(await docket.add('noop')()).key, (await docket.add('noop')()).key];
    const scheduled = (await docket.add('noop', { delay: 3_600_000, key: 'later' })()).key;
    return { running: blocker.key, queued, scheduled };
  };

  it('snapshot lists what runs, what is queued and what is scheduled, as Redis has it', async () => {
    const keys = await populate();
    const snapshot = await docket.snapshot();
    expect([snapshot.running.length, snapshot.queued.length, snapshot.scheduled.length]).toEqual([1, 2, 1]);

    const result = await runCli(['snapshot'], { env });

    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Docket "${docket.name}" as of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`));
    expect(lines[1]).toBe('1 worker, 1 running, 2 queued, 1 scheduled');
    const row = (key: string): string => lines.find((line) => line.includes(key)) ?? '';
    expect(row(keys.running)).toMatch(/ ago\s+RUNNING\s+blocker\s+/);
    expect(row(keys.running)).toContain(`cli-inspect-${docket.name}`);
    expect(row(keys.running)).toContain('[██████░░░░] 60/100 (60.0%) Processing records...');
    for (const key of keys.queued) expect(row(key)).toMatch(/ ago\s+QUEUED\s+noop\s+/);
    expect(row(keys.scheduled)).toMatch(/^at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+SCHEDULED\s+noop\s+later$/);
    const order = [keys.running, ...keys.queued, keys.scheduled].map((key) => lines.indexOf(row(key)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('snapshot --stats counts executions per task', async () => {
    await populate();
    const result = await runCli(['snapshot', '--stats'], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Task\s+Total\s+Running\s+Queued\s+Scheduled$/m);
    expect(result.stdout).toMatch(/^noop\s+3\s+0\s+2\s+1$/m);
    expect(result.stdout).toMatch(/^blocker\s+1\s+1\s+0\s+0$/m);
  });

  it('snapshot of an idle docket says so', async () => {
    const result = await runCli(['snapshot'], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 workers, 0 running, 0 queued, 0 scheduled');
    expect(result.stdout).toContain('Nothing is running, queued or scheduled.');
  });

  it('workers ls lists the live workers with their tasks; for-task filters them', async () => {
    await populate();
    const [live] = await docket.workers();

    const result = await runCli(['workers', 'ls'], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Workers in docket "${docket.name}": 1`);
    expect(result.stdout).toMatch(new RegExp(`^${live.name}\\s+\\S+ ago\\s+1\\s+blocker, noop$`, 'm'));
    const running = await runCli(['workers', 'for-task', 'noop'], { env });
    expect(running.stdout).toContain(live.name);
    const none = await runCli(['workers', 'for-task', 'elsewhere'], { env });
    expect(none.stdout).toBe(`No live workers running task "elsewhere" in docket "${docket.name}".\n`);
  });

  it('clear removes queued and scheduled work, says how many, and leaves running work alone', async () => {
    const keys = await populate();

    const result = await runCli(['clear'], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Cleared 3 executions from docket "${docket.name}"\n`);
    const snapshot = await docket.snapshot();
    expect(snapshot.queued).toEqual([]);
    expect(snapshot.scheduled).toEqual([]);
    expect(snapshot.running.map((e) => e.key)).toEqual([keys.running]);
    for (const key of [...keys.queued, keys.scheduled]) {
      expect((await docket.getExecution(key))?.state).toBe(ExecutionState.CANCELLED);
    }
    expect((await runCli(['clear'], { env })).stdout).toBe(`Cleared 0 executions from docket "${docket.name}"\n`);
  });

  it('tasks trace|fail|sleep add a built-in task and print its key', async () => {
    const trace = await runCli(['tasks', 'trace', 'hello'], { env });
    const fail = await runCli(['tasks', 'fail', '--key', 'my-failure'], { env });
    const sleep = await runCli(['tasks', 'sleep', '2s', '--delay', '5m'], { env });

    for (const result of [trace, fail, sleep]) expect(result.code).toBe(0);
    const keyOf = (stdout: string): string => /"([^"]+)" to docket/.exec(stdout)?.[1] ?? '';
    expect(trace.stdout).toBe(`Added trace task "${keyOf(trace.stdout)}" to docket "${docket.name}"\n`);
    expect(fail.stdout).toBe(`Added fail task "my-failure" to docket "${docket.name}"\n`);
    expect(sleep.stdout).toMatch(/^Added sleep task "[^"]+" to docket "[^"]+", due \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);

    const traced = await docket.getExecution(keyOf(trace.stdout));
    expect([traced?.state, traced?.taskName, traced?.args]).toEqual([ExecutionState.QUEUED, 'trace', ['hello']]);
    const failing = await docket.getExecution('my-failure');
    expect([failing?.state, failing?.taskName, failing?.args]).toEqual([ExecutionState.QUEUED, 'fail', ['Alas!']]);
    const sleeping = await docket.getExecution(keyOf(sleep.stdout));
    expect([sleeping?.state, sleeping?.taskName, sleeping?.args]).toEqual([ExecutionState.SCHEDULED, 'sleep', [2]]);
    expect(sleeping!.when.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);

    const again = await runCli(['tasks', 'fail', '--key', 'my-failure'], { env });
    expect(again.stdout).toContain('was already pending; nothing changed');
  });

  it('version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    const result = await runCli(['version']);

    expect(result).toEqual(expect.objectContaining({ code: 0, stdout: `nestjs-docket ${version}\n` }));
    expect((await runCli(['--version'])).stdout).toBe(`${version}\n`);
  });
});
