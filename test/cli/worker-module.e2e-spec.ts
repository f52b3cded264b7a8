import { resolve } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { ExecutionState } from '../../lib';
import { dropDocket, redisUrl, testDocket, uniqueName } from '../support/docket-test';
import { freePort } from '../support/redis-server';
import { CliProcess, runCli } from './support/cli-process';

const PROBE = resolve(__dirname, 'fixtures/probe.module.js');
const TASKS = resolve(__dirname, 'fixtures/tasks.module.js');

describe('docket worker --module', () => {
  afterEach(() => CliProcess.killAll());

  it("runs a DocketModule app's @Task() methods with the CLI's worker options, and drains on SIGTERM", async () => {
    const docket = testDocket();
    try {
      const name = uniqueName('module-worker');
      const [healthPort, metricsPort] = [await freePort(), await freePort()];
      const ports = ['--healthcheck-port', String(healthPort), '--metrics-port', String(metricsPort)];
      const worker = CliProcess.start(['worker', '--module', TASKS, '--name', name, '--concurrency', '2', '--drain-timeout', '1m', ...ports], {
        env: { FIXTURE_DOCKET: docket.name, FIXTURE_REDIS_URL: redisUrl() },
      });
      await worker.waitFor(new RegExp(`Worker ${name} started on docket .*${docket.name}`));
      const [live] = await docket.workers();
      expect(live).toEqual(expect.objectContaining({ name, concurrency: 2, tasks: ['greet', 'nap'] }));

      // The producer side names the tasks; only the CLI's worker process runs them.
      const greet = docket.register(async function greet(_name: string): Promise<string> {
        throw new Error('runs on the worker only');
      });
      const nap = docket.register(async function nap(_ms: number): Promise<number> {
        throw new Error('runs on the worker only');
      });
      const greeting = await docket.add(greet)('world');
      await expect(greeting.getResult({ timeout: 10_000 })).resolves.toBe('hello world');
      // The module's docket answers the health check and its runs are in the metrics.
      const health = await fetch(`http://127.0.0.1:${healthPort}/`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ healthy: true, depths: { liveWorkers: 1 } });
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`docket_tasks_completed_total\\{docket_name="${docket.name}",docket_task="greet"[^}]*\\} 1`));

      const napping = await docket.add(nap)(1_500);
      await firstValueFrom(napping.state$.pipe(filter((e) => e.state === ExecutionState.RUNNING)));
      worker.signal('SIGTERM');
      const result = await worker.exited;

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Worker ${name}: finishing 1 running task(s)`);
      await expect(napping.getResult({ timeout: 1_000 })).resolves.toBe(1_500);
      expect(await docket.workers()).toEqual([]);
    } finally {
      await docket.close();
      await dropDocket(docket);
    }
  });

  it('boots the module with the worker overrides and Nest logging, and closes it on SIGTERM with exit 0', async () => {
    const worker = CliProcess.start([
      'worker', '--module', `${PROBE}#ProbeModule`, '--concurrency', '3', '--drain-timeout', '2s',
      '--redelivery-timeout', '1m', '--name', 'probe-worker', '--log-format', 'json', '--url', 'redis://127.0.0.1:1/0',
    ]);
    await worker.waitFor('Running the tasks of ProbeModule');
    worker.signal('SIGTERM');
    const result = await worker.exited;

    expect(result.code).toBe(0);
    const entries = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: string; context?: string; message: string });
    const probe = entries.filter((e) => e.context === 'Probe').map((e) => e.message);
    expect(probe).toEqual([
      'bootstrapped with overrides {"concurrency":3,"redeliveryTimeout":60000,"drainTimeout":2000,"name":"probe-worker"}',
      'shutdown hook ran (signal: none)',
    ]);
    expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('--url ignored') }));
    expect(entries.some((e) => e.context === 'NestFactory')).toBe(true);
  });

  it('finds AppModule-like exports by itself, and lists the exports when it cannot', async () => {
    const picked = CliProcess.start(['worker', '--module', PROBE]);
    await picked.waitFor('Running the tasks of ProbeModule');
    picked.signal('SIGINT');
    expect((await picked.exited).code).toBe(0);

    const missing = await runCli(['worker', '--module', `${PROBE}#AppModule`]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('has no export "AppModule"; it exports ProbeModule, HelperService');
  });
});
