/**
 * The dashboard on the Fastify platform, at a path of the app's choosing, behind the app's guard;
 * and the errors of a dashboard configured wrong.
 */
import { Injectable, Module, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Browser } from 'playwright-core';
import { DocketDashboardModule, DocketModule, DocketService, ExecutionProgress, InvalidOptionsError, Progress, Task } from 'nestjs-docket';
import { CapturingLogger } from '../nest/nest-test';
import { dropDocket, redisUrl, uniqueName } from '../support/docket-test';
import { launchChromium, openPage, waitFor } from './browser';

let release = (): void => undefined;

@Injectable()
class ReportTasks {
  @Task()
  async buildReport(@Progress() progress: ExecutionProgress): Promise<string> {
    await progress.setTotal(2);
    await progress.increment();
    await new Promise<void>((resolve) => (release = resolve));
    await progress.increment();
    return 'built';
  }
}

/** Lets a request through only with `x-role: ops`. */
class OpsOnly implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-role'] === 'ops';
  }
}

const name = uniqueName('fastify-dashboard');

@Module({
  imports: [
    DocketModule.forRoot({ name, url: redisUrl(), worker: { concurrency: 2 } }),
    DocketDashboardModule.forRoot({ path: 'ops/docket/', guard: OpsOnly }),
  ],
  providers: [ReportTasks],
})
class FastifyAppModule {}

describe('the dashboard on Fastify', () => {
  let browser: Browser;
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    browser = await launchChromium();
    const moduleRef = await Test.createTestingModule({ imports: [FastifyAppModule] }).setLogger(new CapturingLogger()).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: new CapturingLogger() });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await browser?.close();
    const { docket } = app.get(DocketService);
    await app.close();
    await dropDocket(docket);
  });

  it('serves the page at the app\'s path, behind its guard, with live progress and the outcome', async () => {
    expect((await fetch(`${base}/ops/docket`)).status).toBe(403);
    const errors: string[] = [];
    const page = await openPage(browser, `${base}/ops/docket#/running`, errors, { 'x-role': 'ops' });
    const execution = await app.get(DocketService).add('buildReport')();
    await waitFor(page, `tr[data-key="${execution.key}"] .bar[data-current="1"][data-total="2"]`);
    release();
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/outcomes'));
    await waitFor(page, `tr[data-key^="${execution.key}@"] .state-completed`);
    await page.close();
    expect(errors).toEqual([]);
  });
});

describe('a dashboard configured wrong', () => {
  it('names a docket the app does not have, and the ones it has, at start', async () => {
    @Module({ imports: [DocketModule.forRoot({ name: 'orders', url: redisUrl(), worker: false }), DocketDashboardModule.forRoot({ dockets: ['emails'] })] })
    class WrongModule {}
    const moduleRef = await Test.createTestingModule({ imports: [WrongModule] }).setLogger(new CapturingLogger()).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: new CapturingLogger() });
    const failure = await app.init().then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(InvalidOptionsError);
    expect(String(failure)).toContain('no docket named "emails" in this app (it has "orders")');
    await app.close();
  });
});
