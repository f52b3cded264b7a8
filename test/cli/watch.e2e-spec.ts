import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState, Worker, type Docket, type Execution } from '../../lib';
import { dropDocket, redisUrl, testDocket } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { formatDateTime } from '../../lib/cli/render/time';
import { CliProcess, runCli } from './support/cli-process';
import { CONTROLLED_MESSAGE, registerControlledTask, type Controller } from './support/controlled-task';

describe('docket watch', () => {
  let docket: Docket;
  let control: Controller;
  let worker: Worker | undefined;
  let env: Record<string, string | undefined>;

  beforeEach(() => {
    docket = testDocket();
    control = registerControlledTask(docket);
    worker = undefined;
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name, NO_COLOR: undefined };
  });

  afterEach(async () => {
    await CliProcess.killAll();
    await worker?.stop({ drainTimeout: 0 });
    await docket.close();
    await dropDocket(docket);
  });

  const startWorker = (): void => {
    worker = new Worker(docket, { name: `cli-watch-${docket.name}`, concurrency: 1 });
    void worker.runForever();
  };
  const running = (execution: Execution): Promise<unknown> =>
    firstValueFrom(execution.progress$.pipe(filter((p) => p.current === 60)));

  it('follows a task from QUEUED through progress to COMPLETED, one plain line per event (piped)', async () => {
    const execution = await docket.add('controlled')();
    const watch = CliProcess.start(['watch', execution.key], { env });
    await watch.waitFor(/ QUEUED$/m);
    startWorker();
    await watch.waitFor(`RUNNING on cli-watch-${docket.name}`);
    await watch.waitFor(`[████████████░░░░░░░░] 60/100 (60.0%) ${CONTROLLED_MESSAGE}`);
    control.finish();
    const result = await watch.exited;

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Task: controlled  Key: ${execution.key}  Docket: ${docket.name}`);
    const at = (text: string): number => lines.findIndex((line) => line.includes(text));
    expect(at(' QUEUED')).toBeGreaterThan(0);
    expect(at(' RUNNING on ')).toBeGreaterThan(at(' QUEUED'));
    expect(at('60/100 (60.0%)')).toBeGreaterThan(at(' RUNNING on '));
    expect(at('100/100 (100.0%)')).toBeGreaterThan(at('60/100 (60.0%)'));
    expect(lines[lines.length - 1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d COMPLETED ✓ completed in \d+:\d\d$/);
    expect(result.stdout).not.toContain('\x1b');
    expect(result.stderr).toBe('');
  });

  it('redraws the view in place under a terminal and exits 0 on COMPLETED', async () => {
    const execution = await docket.add('controlled')();
    const watch = CliProcess.start(['watch', execution.key], { env, tty: true });
    await watch.waitFor('QUEUED');
    startWorker();
    await watch.waitFor('60/100 (60.0%)');
    await watch.waitFor(CONTROLLED_MESSAGE);
    control.finish();
    const result = await watch.exited;

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\x1b\[\d+A\r\x1b\[0J/); // moved back up over the last view
    expect(result.stdout).toContain('\x1b[32mCOMPLETED\x1b[39m');
    expect(result.stdout).toContain('Progress:');
    expect(result.stdout).toContain('100/100 (100.0%)');
    expect(result.stdout).toContain('✓ completed in');
    expect(result.stdout).toContain(`(cli-watch-${docket.name})`);
  });

  it('exits 1 on FAILED and shows the error', async () => {
    const execution = await docket.add('controlled')();
    startWorker();
    await running(execution);
    const watch = CliProcess.start(['watch', execution.key], { env });
    await watch.waitFor('60/100 (60.0%)');
    control.fail(new TypeError('the records are malformed'));
    const result = await watch.exited;

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ FAILED ✗ failed after \d+:\d\d: TypeError: the records are malformed$/m);
  });

  it('exits 3 on CANCELLED, a terminal state, without waiting any longer', async () => {
    const execution = await docket.add('controlled')();
    startWorker();
    await running(execution);
    const watch = CliProcess.start(['watch', execution.key], { env, tty: true });
    await watch.waitFor('60/100 (60.0%)');
    await docket.cancel(execution.key);
    const result = await watch.exited;

    expect(result.code).toBe(3);
    expect(result.stdout).toContain('CANCELLED');
    expect(result.stdout).toContain('⊘ cancelled after');
  });

  it('exits 3 when a queued execution is cancelled before it starts', async () => {
    const execution = await docket.add('controlled')();
    const watch = CliProcess.start(['watch', execution.key], { env });
    await watch.waitFor(/ QUEUED$/m);
    await docket.cancel(execution.key);
    const result = await watch.exited;

    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/ CANCELLED ⊘ cancelled before it started$/m);
  });

  it('stops watching on Ctrl-C (SIGINT) with exit 130, leaving the execution alone', async () => {
    const execution = await docket.add('controlled')();
    const watch = CliProcess.start(['watch', execution.key], { env });
    await watch.waitFor(/ QUEUED$/m);
    watch.signal('SIGINT');
    const result = await watch.exited;

    expect(result.code).toBe(130);
    expect((await docket.getExecution(execution.key))?.state).toBe(ExecutionState.QUEUED);
  });

  it('prints the final view at once for an execution that has already finished', async () => {
    control.finish();
    const execution = await docket.add('controlled')();
    startWorker();
    await expect(execution.getResult({ timeout: 10_000 })).resolves.toBe('done');
    const result = await runCli(['watch', execution.key], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`State: COMPLETED (cli-watch-${docket.name})`);
    expect(result.stdout).toContain('Progress: [████████████████████] 100/100 (100.0%)');
    expect(result.stdout).toContain(`Message: ${CONTROLLED_MESSAGE}`);
    expect(result.stdout).toMatch(/^Outcome: ✓ completed in \d+:\d\d$/m);
    expect((await docket.getExecution(execution.key))?.state).toBe(ExecutionState.COMPLETED);
  });

  it('says how a perpetual task repeats, when its next run is due once a run ends, and that a cancelled chain has none', async () => {
    docket.register(async function digest(): Promise<string> { return 'sent'; }, { perpetual: { every: 3_600_000 } });
    const execution = await docket.add('digest', { key: 'digest-daily' })();
    const watch = CliProcess.start(['watch', execution.key], { env });
    await watch.waitFor(/ QUEUED$/m);
    startWorker();
    const result = await watch.exited;

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Task: digest  Key: digest-daily  Docket: ${docket.name}  Repeats: every 3600000 ms`);
    expect(lines.at(-2)).toMatch(/ COMPLETED ✓ completed in \d+:\d\d$/);
    const next = (await docket.getExecution('digest-daily'))!;
    expect(next.state).toBe(ExecutionState.SCHEDULED);
    expect(lines.at(-1)).toMatch(new RegExp(` NEXT run due ${formatDateTime(next.when)} \\(`));

    // The waiting run, watched: what it repeats, how the run before it ended; cancelled, the chain ends.
    const waiting = CliProcess.start(['watch', 'digest-daily', '--json'], { env });
    await docket.cancel('digest-daily');
    const ended = await waiting.exited;
    expect(ended.code).toBe(3);
    expect(JSON.parse(ended.stdout)).toMatchObject({ state: 'cancelled', recurrence: 'every 3600000 ms', lastOutcome: { state: 'completed' }, nextRun: null });
    const after = await runCli(['watch', 'digest-daily'], { env });
    expect(after.stdout).toMatch(/^Last run: completed .* ago$/m);
    expect(after.stdout).toMatch(/^Next run: none \(the chain ended\)$/m);
  });

  it('exits 4 with a clear message when the key is unknown', async () => {
    const result = await runCli(['watch', 'no-such-key'], { env });

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`No execution "no-such-key" in docket "${docket.name}": it was never added there`);
    // Which dockets the shared Redis holds depends on the other tests: discovery.e2e-spec checks the list.
    expect(result.stderr).toMatch(/^(Dockets .*this Redis: .+\. Pass --docket NAME \(or set DOCKET_NAME\)|There is no docket .*: pass --url URL .*)\.$/m);
  });

  it('exits 2 naming the URL, without a stack trace, when Redis is unreachable', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(['watch', 'some-key', '--url', url], { env });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(url);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
