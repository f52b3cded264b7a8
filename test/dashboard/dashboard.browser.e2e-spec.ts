/**
 * The dashboard of the sample app in a real Chromium: the sample's AppModule with its worker, on
 * the suite's Redis, over real HTTP. Each test adds work over the sample's own API and asserts on
 * the page's DOM; screenshots of each view go to test-output/dashboard/.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { DocketService } from 'nestjs-docket';
import { AppModule } from '../../sample/src/app.module';
import { SAMPLE_CONFIG, type SampleConfig } from '../../sample/src/config/sample.config';
import { DashboardService } from '../../lib/dashboard/dashboard.service';
import { CapturingLogger } from '../nest/nest-test';
import { dropDocket, redisUrl, uniqueName } from '../support/docket-test';
import { SCREENSHOTS, launchChromium, openPage, probeOf, waitFor } from './browser';

async function boot(config: SampleConfig): Promise<{ app: INestApplication; base: string }> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(SAMPLE_CONFIG).useValue(config).setLogger(logger).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe('the dashboard in Chromium (the sample app, actions allowed)', () => {
  let browser: Browser;
  let app: INestApplication;
  let base: string;
  let page: Page;
  const errors: string[] = [];

  const post = async (path: string, body: unknown): Promise<string> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    return ((await res.json()) as { key: string }).key;
  };
  const order = (customerId: string, items: string[], delayMs: number): Promise<string> => post('/orders', { customerId, items, delayMs });
  const tab = async (name: string): Promise<void> => {
    await page.evaluate((hash) => ((globalThis as unknown as { location: { hash: string } }).location.hash = hash), `#/${name}`);
    await waitFor(page, `nav a.active[href="#/${name}"]`);
  };
  const row = (key: string): string => `tr[data-key="${key}"]`;
  /** An outcome's row: keyed by the execution's key and when it ended (a key can end more than once). */
  const outcome = (key: string): string => `tr[data-key^="${key}@"]`;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    browser = await launchChromium();
    ({ app, base } = await boot({ redisUrl: redisUrl(), docketName: uniqueName('dashboard'), port: 0, worker: true, dashboardActions: true }));
  });

  beforeEach(async () => {
    errors.length = 0;
    page = await openPage(browser, `${base}/docket#/overview`, errors);
  });

  afterEach(async () => {
    await page.close();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    const { docket } = app.get(DocketService);
    await app.close();
    await dropDocket(docket);
  });

  it('moves a progress bar live, without a reload, and moves the run to the outcomes when it completes', async () => {
    await tab('running');
    const key = await order('ada', ['apple', 'bread', 'cheese', 'dates', 'eggs'], 250);
    await waitFor(page, `${row(key)} .bar[data-current="1"]`);
    await waitFor(page, `${row(key)} .bar[data-current="3"]`);
    await shot('running');
    expect(await page.textContent(row(key))).toContain("processOrder(customerId='ada', items=[len 5], delayMs=250)");
    await waitFor(page, row(key), true);
    await tab('outcomes');
    await waitFor(page, `${outcome(key)} .state-completed`);
    await shot('outcomes');
    await tab('overview');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('#card-completed .n')?.textContent !== '0', undefined, { polling: 50 });
    await shot('overview');
    await tab('workers');
    await waitFor(page, 'tbody[id^="workers"] tr');
    expect(await page.textContent('tbody[id^="workers"]')).toContain('processOrder, sendReceipt');
    await shot('workers');
    // One snapshot, the rest pushed: the page never reloaded or asked again.
    expect((await probeOf(page)).snapshots).toBe(1);
  });

  it('shows a failed run with its error name and message, in the outcomes and in the execution view', async () => {
    const key = await order('eve', ['missing-widget'], 5);
    await tab('outcomes');
    await waitFor(page, `${outcome(key)} .state-failed`);
    expect(await page.textContent(`${outcome(key)} td.error`)).toBe('NotFoundException: Item "missing-widget" is not in the catalog');
    await page.click(`${outcome(key)} a`);
    await waitFor(page, '#execution[data-state="failed"]');
    expect(await page.textContent('#execution-error')).toBe('NotFoundException: Item "missing-widget" is not in the catalog');
    expect(await page.textContent('#timeline')).toContain('running');
    await shot('execution-failed');
  });

  it('never puts the value of an argument that is not @Logged in the page', async () => {
    const secret = 'private-address@example.com';
    const key = await post('/orders/receipts', { customerId: 'ada', email: secret });
    await tab('outcomes');
    await waitFor(page, `${outcome(key)} .state-completed`);
    expect(await page.textContent(outcome(key))).toContain("sendReceipt(customerId='ada', email=...)");
    expect(await page.content()).not.toContain(secret);
    await page.click(`${outcome(key)} a`);
    await waitFor(page, '#execution[data-state="completed"]');
    await shot('execution');
    expect(await page.content()).not.toContain(secret);
  });

  it('shows a strike in effect, pushed without a reload, and restores it from the page', async () => {
    const docket = app.get(DocketService).docket;
    await tab('strikes');
    await docket.strike('sendReceipt');
    await waitFor(page, 'button[data-action="restore"][data-task="sendReceipt"]');
    await shot('strikes');
    await page.click('button[data-action="restore"][data-task="sendReceipt"]');
    await waitFor(page, 'td.strike', true);
    expect(await docket.strikes()).toEqual([]);
  });

  it('cancels a scheduled run from the page, whatever its key; queued and scheduled runs say why they wait', async () => {
    const docket = app.get(DocketService).docket;
    // A key a browser would resolve away as a path segment.
    const later = await docket.add('sendReceipt', { delay: 3_600_000, key: '..' })('bob', 'bob@example.com');
    await tab('waiting');
    await waitFor(page, `${row(later.key)} button[data-action="cancel"]`);
    expect(await page.textContent(row(later.key))).toContain('its time');
    await shot('waiting');
    await page.click(`${row(later.key)} button[data-action="cancel"]`);
    await waitFor(page, row(later.key), true);
    expect((await later.sync()).state).toBe('cancelled');
  });

  it('resumes a cut stream with Last-Event-ID and misses no event, without a new snapshot', async () => {
    await tab('outcomes');
    const feed = app.get(DashboardService).feed;
    const resumedFrom: (string | undefined)[] = [];
    const stream = feed.stream.bind(feed);
    feed.stream = (lastEventId?: string) => (resumedFrom.push(lastEventId), stream(lastEventId));
    feed.dropConnections();
    // Added while the page is cut off: they run and end before it is back.
    const keys = await Promise.all(['r1', 'r2', 'r3'].map((c) => post('/orders/receipts', { customerId: c, email: `${c}@example.com` })));
    for (const key of keys) await waitFor(page, `${outcome(key)} .state-completed`);
    // The browser came back on its own, saying what it had; it was sent what it missed, not a snapshot.
    expect(resumedFrom).toEqual([expect.stringMatching(/^[0-9a-z]+:\d+$/)]);
    expect((await probeOf(page)).snapshots).toBe(1);
  });

  it('drops garbage heard on the events channels, and goes on showing real events', async () => {
    const docket = app.get(DocketService).docket;
    await tab('outcomes');
    const admin = new Redis(redisUrl());
    try {
      for (const message of ['x', 'null', '{}', '[]', '{"type":"state","key":"k"}', '{"type":"progress","key":"k","seq":"two"}']) await admin.publish(docket.keys.events('garbage'), message);
    } finally {
      admin.disconnect();
    }
    const key = await post('/orders/receipts', { customerId: 'after-garbage', email: 'x@example.com' });
    await waitFor(page, `${outcome(key)} .state-completed`);
    expect(await page.$$('tr[data-key^="garbage"], tr[data-key^="k@"]')).toEqual([]);
  });

  it('says why an execution cannot be shown, and keeps saying it; a link it cannot decode opens the overview', async () => {
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/execution/nowhere/no-such-key'));
    await waitFor(page, '#execution-failure');
    const batches = (await probeOf(page)).batches;
    await post('/orders/receipts', { customerId: 'meanwhile', email: 'm@example.com' });
    await page.waitForFunction((before) => (globalThis as unknown as { __docket: { batches: number } }).__docket.batches > before, batches, { polling: 50 });
    expect(await page.textContent('#execution-failure')).toContain('The dashboard shows no docket "nowhere"');
    const broken = await openPage(browser, `${base}/docket#/execution/docket/%E0%A4%A`, errors);
    await waitFor(broken, 'nav a.active[href="#/overview"]');
    await broken.close();
  });

  it('refuses an action without the dashboard header (CSRF), naming it', async () => {
    const res = await fetch(`${base}/docket/api/dockets/${app.get(DocketService).docket.name}/strike?task=sendReceipt`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('x-docket-dashboard: 1');
    expect(await app.get(DocketService).docket.strikes()).toEqual([]);
  });
});

describe('the dashboard in Chromium, read-only (the default)', () => {
  let browser: Browser;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    browser = await launchChromium();
    ({ app, base } = await boot({ redisUrl: redisUrl(), docketName: uniqueName('dashboard-ro'), port: 0, worker: false }));
  });

  afterAll(async () => {
    await browser?.close();
    const { docket } = app.get(DocketService);
    await app.close();
    await dropDocket(docket);
  });

  it('says so when more executions wait than the page is shown', async () => {
    const errors: string[] = [];
    const docket = app.get(DocketService).docket;
    await docket.addMany(Array.from({ length: 5_001 }, (_, i) => docket.call('sendReceipt', { delay: 3_600_000 })(`c${i}`, 'x@example.com')));
    const page = await openPage(browser, `${base}/docket#/overview`, errors);
    await waitFor(page, '#over-limit');
    expect(await page.textContent('#over-limit')).toContain('it lists the first 5000');
    await page.close();
    await docket.clear();
    expect(errors).toEqual([]);
  });

  it('offers no action and refuses one sent anyway', async () => {
    const errors: string[] = [];
    const docket = app.get(DocketService).docket;
    const waiting = await docket.add('sendReceipt', { delay: 3_600_000 })('ada', 'ada@example.com');
    const page = await openPage(browser, `${base}/docket#/waiting`, errors);
    await waitFor(page, `tr[data-key="${waiting.key}"]`);
    expect(await page.$$('button[data-action]')).toEqual([]);
    const res = await page.evaluate(async (url) => {
      const r = await fetch(url, { method: 'POST', headers: { 'x-docket-dashboard': '1' } });
      return { status: r.status, body: (await r.json()) as { message: string } };
    }, `${base}/docket/api/dockets/${docket.name}/cancel?key=${encodeURIComponent(waiting.key)}`);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('read-only');
    expect((await waiting.sync()).state).toBe('scheduled');
    await page.close();
    expect(errors).toEqual([]);
  });
});
