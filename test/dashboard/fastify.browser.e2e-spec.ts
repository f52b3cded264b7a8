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
let releaseAll = (): void => undefined;
const heldBack = new Promise<void>((resolve) => (releaseAll = resolve));

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

  @Task()
  async hold(@Progress() progress: ExecutionProgress): Promise<void> {
    await progress.setTotal(1);
    await heldBack;
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
    DocketModule.forRoot({ name, url: redisUrl(), worker: { concurrency: 200 } }),
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
    releaseAll();
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

  it('keeps only the running rows near the screen in the page, and shows the others as it scrolls', async () => {
    const errors: string[] = [];
    const page = await openPage(browser, `${base}/ops/docket#/running`, errors, { 'x-role': 'ops' });
    const service = app.get(DocketService);
    const added = await service.docket.addMany(Array.from({ length: 150 }, () => service.docket.call('hold')()));
    const keysInPage = (): Promise<string[]> =>
      page.evaluate(() => Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ dataset: { key: string } }> } }).document.querySelectorAll('tbody[id^="running"] tr'), (tr) => tr.dataset.key));
    await page.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }).document.getElementById('running-count')?.textContent === '(150)', undefined, { polling: 50 });
    const top = await keysInPage();
    // Scrolled through a screen at a time, each frame drawn before the rows are read.
    const seen = new Set(top);
    let most = top.length;
    for (let y = 600; y < 150 * 30 + 1_200; y += 600) {
      await page.evaluate(async (to) => {
        const g = globalThis as unknown as { scrollTo(x: number, y: number): void; requestAnimationFrame(f: () => void): void };
        g.scrollTo(0, to);
        await new Promise<void>((resolve) => g.requestAnimationFrame(() => g.requestAnimationFrame(resolve)));
      }, y);
      const keys = await keysInPage();
      most = Math.max(most, keys.length);
      for (const key of keys) seen.add(key);
    }
    expect(most).toBeLessThan(150);
    expect(seen).toEqual(new Set(added.map((e) => e.key)));
    await page.close();
    releaseAll();
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
