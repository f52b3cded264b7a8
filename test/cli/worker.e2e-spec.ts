import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState, type Docket } from '../../lib';
import { fail, registerBuiltinTasks, sleep, trace } from '../../lib/cli/builtin-tasks';
import { dropDocket, redisUrl, testDocket, uniqueName } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { CliProcess, runCli } from './support/cli-process';

describe('docket worker', () => {
  let docket: Docket;
  let env: Record<string, string>;

  beforeEach(() => {
    docket = testDocket();
    registerBuiltinTasks(docket);
    env = { DOCKET_URL: redisUrl(), DOCKET_NAME: docket.name };
  });

  afterEach(async () => {
    await CliProcess.killAll();
    await docket.close();
    await dropDocket(docket);
  });

  const startWorker = async (...args: string[]): Promise<{ worker: CliProcess; name: string }> => {
    const name = uniqueName('cli-worker');
    const worker = CliProcess.start(['worker', '--name', name, '--scheduling-resolution', '50ms', ...args], { env });
    // Matched loosely enough to also match inside a JSON-escaped log line.
    await worker.waitFor(new RegExp(`Worker ${name} started on docket .*${docket.name}.* with tasks: fail, sleep, trace`));
    return { worker, name };
  };

  it('runs the built-in tasks, then drains a task in flight on SIGTERM and exits 0', async () => {
    const { worker, name } = await startWorker('--concurrency', '2', '--drain-timeout', '1m');
    expect((await docket.workers()).map((w) => w.name)).toContain(name);

    const traced = await docket.add(trace)('hello from the test');
    await expect(traced.getResult({ timeout: 10_000 })).resolves.toBeUndefined();
    await worker.waitFor('"hello from the test"');
    const failed = await docket.add(fail)('on purpose');
    await expect(failed.getResult({ timeout: 10_000 })).rejects.toThrow('on purpose');

    const sleeping = await docket.add(sleep)(2);
    await firstValueFrom(sleeping.state$.pipe(filter((e) => e.state === ExecutionState.RUNNING)));
    worker.signal('SIGTERM');
    await worker.waitFor('Received SIGTERM: finishing running tasks, then exiting');
    const result = await worker.exited;

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Worker ${name}: finishing 1 running task(s)`);
    expect(result.stdout).toContain(`Worker ${name} stopped`);
    await expect(sleeping.getResult({ timeout: 1_000 })).resolves.toBeUndefined();
    expect((await docket.getExecution(sleeping.key))?.state).toBe(ExecutionState.COMPLETED);
    expect((await docket.workers()).map((w) => w.name)).not.toContain(name);
  });

  it('writes JSON log lines with --log-format json and stops on SIGINT with exit 0', async () => {
    const { worker } = await startWorker('--log-format', 'json');
    const traced = await docket.add(trace)('json please');
    await traced.getResult({ timeout: 10_000 });
    await worker.waitFor('json please');
    worker.signal('SIGINT');
    const result = await worker.exited;

    expect(result.code).toBe(0);
    const entries = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) {
      expect(entry).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String), message: expect.any(String) }));
    }
    expect(entries.map((e) => e.message)).toContain('Received SIGINT: finishing running tasks, then exiting');
  });

  it('exits 2 naming the URL when Redis is unreachable', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const result = await runCli(['worker', '--url', url], { env });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(url);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses malformed worker options before connecting', async () => {
    const duration = await runCli(['worker', '--drain-timeout', '30'], { env });
    expect(duration.code).toBe(64);
    expect(duration.stderr).toContain(`option '--drain-timeout <duration>' argument '30' is invalid. "30" has no unit: write 30ms or 30s`);

    const concurrency = await runCli(['worker', '--concurrency', '0'], { env });
    expect(concurrency.code).toBe(64);
    expect(concurrency.stderr).toContain('"0" is not a whole number of at least 1');

    const format = await runCli(['worker', '--log-format', 'xml'], { env });
    expect(format.code).toBe(64);
    expect(format.stderr).toContain('Allowed choices are plain, json');
  });

  it('says what is wrong with a --module that cannot be loaded', async () => {
    const result = await runCli(['worker', '--module', './no/such/app.module.js'], { env });

    expect(result.code).toBe(64);
    expect(result.stderr).toContain('there is no file');
    expect(result.stderr).toContain('no/such/app.module.js');
  });
});
