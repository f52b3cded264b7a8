import { type Docket } from '../../lib';
import { fail, registerBuiltinTasks, trace } from '../../lib/cli/builtin-tasks';
import { dropDocket, redisUrl, testDocket, uniqueName, waitUntil } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { CliProcess, runCli } from './support/cli-process';

describe('docket worker --metrics-port and --healthcheck-port', () => {
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
      await waitUntil(async () => (await text(`http://127.0.0.1:${healthPort}/`)).code === 503, 'unhealthy');
      const answer = JSON.parse((await text(`http://127.0.0.1:${healthPort}/`)).body) as { status: string; problems: string[] };
      expect(answer.status).toBe('error');
      expect(answer.problems).toEqual(['2 executions due and waiting, more than 1']);
    } finally {
      await otherDocket.clear();
      await CliProcess.killAll();
      await otherDocket.close();
      await dropDocket(otherDocket);
    }
  });

  it('refuses a port that is not one, before connecting to anything', async () => {
    const result = await runCli(['worker', '--metrics-port', '70000'], { env });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('"70000" is not a TCP port (1–65535).');
  });
});
