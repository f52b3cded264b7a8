import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Docket, DocketHealthIndicator, DocketModule, Worker } from 'nestjs-docket';
import { uniqueName, waitUntil } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';
import { CapturingLogger } from './nest-test';

describe('DocketHealthIndicator with @nestjs/terminus', () => {
  let redis: RedisServer;
  let app: INestApplication;
  let base: string;
  let docket: Docket;
  const name = uniqueName('health');
  const worker = (): Worker => new Worker(docket, { name: 'health-worker' });

  beforeAll(async () => {
    redis = await RedisServer.start();

    @Controller('health')
    class HealthController {
      constructor(
        private readonly health: HealthCheckService,
        private readonly docketHealth: DocketHealthIndicator,
      ) {}

      @Get()
      @HealthCheck()
      check() {
        return this.health.check([() => this.docketHealth.isHealthy('docket', { minWorkers: 1, timeout: 500 })]);
      }
    }

    @Module({ imports: [TerminusModule, DocketModule.forRoot({ name, url: redis.url, worker: false })], controllers: [HealthController] })
    class HealthApp {}

    app = await NestFactory.create(HealthApp, { logger: new CapturingLogger() });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    docket = new Docket({ name, url: redis.url, logger: new CapturingLogger() });
  });
  afterAll(async () => {
    await app?.close();
    await docket?.close();
    await redis?.stop();
  });

  const health = async (): Promise<{ code: number; body: { status: string; details: { docket: Record<string, unknown> } } }> => {
    const response = await fetch(`${base}/health`);
    return { code: response.status, body: (await response.json()) as { status: string; details: { docket: Record<string, unknown> } } };
  };

  it('is down with no live worker, up while one runs, and down again when the last one stops', async () => {
    const before = await health();
    expect(before.code).toBe(503);
    expect(before.body.details.docket).toMatchObject({ status: 'down', message: '0 live workers, fewer than 1', liveWorkers: 0 });

    const running = worker();
    void running.runForever();
    await waitUntil(async () => (await health()).code === 200, 'healthy with a worker');
    expect((await health()).body.details.docket).toMatchObject({ status: 'up', liveWorkers: 1, queued: 0, roundTripMs: expect.any(Number) });

    await running.stop();
    const after = await health();
    expect(after.code).toBe(503);
    expect(after.body.details.docket).toMatchObject({ status: 'down', liveWorkers: 0 });
  });

  it('is down while Redis is stopped, saying so, and up again once it is back', async () => {
    const running = worker();
    void running.runForever();
    try {
      await waitUntil(async () => (await health()).code === 200, 'healthy with a worker');
      await redis.kill();
      const down = await health();
      expect(down.code).toBe(503);
      expect(down.body.details.docket.status).toBe('down');
      expect(String(down.body.details.docket.message)).toMatch(/^Redis (could not be read|did not answer within 500 ms)/);

      await redis.launch();
      // The worker reconnects and beats again; the app's connection reconnects on its own.
      await waitUntil(async () => (await health()).code === 200, 'healthy again', 20_000);
    } finally {
      await running.stop({ drainTimeout: 0 });
    }
  });

  it('refuses a docket name no module was registered under, naming it', async () => {
    const indicator = app.get(DocketHealthIndicator);
    await expect(indicator.isHealthy('other', { docket: 'no-such-docket' })).rejects.toThrow('no docket module is registered under the name "no-such-docket"');
  });
});
