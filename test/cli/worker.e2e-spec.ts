import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState, type Docket } from '../../lib';
import { fail, registerBuiltinTasks, sleep, trace } from '../../lib/cli/builtin-tasks';
import { dropDocket, redisUrl, testDocket, uniqueName, waitUntil } from '../support/docket-test';
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

  describe('--metrics-port and --healthcheck-port', () => {
    const text = async (url: string): Promise<{ code: number; body: string }> => {
      const response = await fetch(url);
      return { code: response.status, body: await response.text() };
    };

    it('serves Prometheus metrics that move with the work, and a health check that follows the worker', async () => {
      const [metricsPort, healthPort] = [await freePort(), await freePort()];
      const name = uniqueName('ops-worker');
      const worker = CliProcess.start(['worker', '--name', name, '--metrics-port', String(metricsPort), '--healthcheck-port', String(healthPort)], { env });
      await worker.waitFor(new RegExp(`Worker ${name} started`));
      expect(worker.stdout).toContain(`Serving Prometheus metrics on http://0.0.0.0:${metricsPort}/metrics`);

      const health = await text(`http://127.0.0.1:${healthPort}/`);
      expect(health.code).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', healthy: true, problems: [], depths: { liveWorkers: 1 } });

      await (await docket.add(trace)('counted')).getResult({ timeout: 10_000 });
      await expect((await docket.add(fail)('counted too')).getResult({ timeout: 10_000 })).rejects.toThrow('counted too');
      const scrape = async (): Promise<string> => (await text(`http://127.0.0.1:${metricsPort}/metrics`)).body;
      const line = (body: string, metric: string, task: string): string | undefined =>
        body.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`docket_name="${docket.name}"`) && l.includes(`docket_task="${task}"`));
      await waitUntil(async () => line(await scrape(), 'docket_tasks_failed_total', 'fail') !== undefined, 'the failure scraped');
      const body = await scrape();
      expect(line(body, 'docket_tasks_started_total', 'trace')).toMatch(/ 1$/);
      expect(line(body, 'docket_tasks_completed_total', 'trace')).toMatch(/ 1$/);
      expect(line(body, 'docket_tasks_failed_total', 'fail')).toMatch(/ 1$/);
      expect(body).toContain('# TYPE docket_task_duration histogram');
    expect(body).toMatch(/target_info\{[^}]*service_name="docket-worker"/);
      expect(body).toMatch(new RegExp(`docket_workers_live\\{docket_name="${docket.name}"[^}]*\\} 1`));

      worker.signal('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    });

    it('answers 503 with the problem when the queue holds more than --health-max-queued', async () => {
      const healthPort = await freePort();
      const name = uniqueName('ops-worker');
      // One run at a time: of three long sleeps, two stay queued.
      const worker = CliProcess.start(['worker', '--name', name, '--concurrency', '1', '--healthcheck-port', String(healthPort), '--health-max-queued', '1'], { env: { ...env, DOCKET_NAME: `${docket.name}-other` } });
      await worker.waitFor(new RegExp(`Worker ${name} started`));
      const otherDocket = testDocket({ name: `${docket.name}-other` });
      registerBuiltinTasks(otherDocket);
      try {
        await otherDocket.add('sleep')(30);
        await otherDocket.add('sleep')(30);
        await otherDocket.add('sleep')(30);
        // Until the worker has claimed the first sleep, three are waiting.
        let answer: { code: number; status?: string; problems?: string[] } = { code: 0 };
        await waitUntil(async () => {
          const { code, body } = await text(`http://127.0.0.1:${healthPort}/`);
          answer = { code, ...(JSON.parse(body) as { status: string; problems: string[] }) };
          return answer.problems?.[0]?.startsWith('2 ') ?? false;
        }, 'one sleep running, two waiting');
        expect(answer).toMatchObject({ code: 503, status: 'error', problems: ['2 executions due and waiting, more than 1'], depths: { queued: 2, running: 1 } });
      } finally {
        await otherDocket.clear();
        await CliProcess.killAll();
        await otherDocket.close();
        await dropDocket(otherDocket);
      }
    });

    it('refuses a port that is not one and a timeout no timer can wait, before connecting to anything', async () => {
      const port = await runCli(['worker', '--metrics-port', '70000'], { env });
      expect(port.code).toBe(64);
      expect(port.stderr).toContain('"70000" is not a TCP port (1–65535).');
      const timeout = await runCli(['worker', '--healthcheck-port', '8080', '--health-timeout', '1000h'], { env });
      expect(timeout.code).toBe(64);
      expect(timeout.stderr).toContain("option '--health-timeout <duration>' argument '1000h' is invalid. \"1000h\" is longer than a timer can wait");
    });

    it('says that health bounds without --healthcheck-port are ignored', async () => {
      const name = uniqueName('ops-worker');
      const worker = CliProcess.start(['worker', '--name', name, '--health-max-queued', '0', '--health-timeout', '2s'], { env });
      await worker.waitFor(new RegExp(`Worker ${name} started`));
      expect(worker.stdout).toContain('--health-timeout, --health-max-queued ignored: there is no health check without --healthcheck-port');
    });
  });
});
