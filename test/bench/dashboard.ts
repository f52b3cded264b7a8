/**
 * The dashboard bench (`npm run bench:dashboard`): with 100 and 1,000 executions running on a
 * worker process, each reporting progress twice a second, how late the page in Chromium draws a
 * progress report (from the task's report to the frame that shows it), whether it stays
 * responsive (its script time, frames drawn, main-thread tasks over 50 ms), and what the app
 * serving the page pays:
 * CPU per event with no page, one page and four, and memory per page.
 *
 *   npm run bench:dashboard -- [--sizes 100,1000] [--window 5000] [--rounds 3]
 *
 * Each figure is the median of the rounds (sizes interleaved round by round); the JSON keeps them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Browser, Page } from 'playwright-core';
import { DocketDashboardModule, DocketModule, DocketService } from '../../lib';
import { launchChromium } from '../dashboard/browser';
import { RedisServer } from '../support/redis-server';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SIZES = flag('sizes', '100,1000').split(',').map(Number);
const WINDOW_MS = Number(flag('window', '5000'));
const ROUNDS = Number(flag('rounds', '3'));
const QUERY = flag('query', '');
const EVERY_MS = 500;
const silent = { log: (): void => undefined, warn: (): void => undefined, error: (): void => undefined, debug: (): void => undefined, verbose: (): void => undefined };

interface Window {
  cpuMs: number;
  events: number;
}

interface Probe {
  batches: number;
  drawMs: number;
  applyMs: number;
  tickMs: number;
  snapshots: number;
  draws: number;
  lags: number[];
  longTasks: number;
}

let made = 0;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function measureSize(url: string, browser: Browser, n: number): Promise<Record<string, number>> {
  const name = `bench-dashboard-${n}-${process.pid}-${++made}`;
  @Module({ imports: [DocketModule.forRoot({ name, url, worker: false, executionTtl: 0 }), DocketDashboardModule.forRoot()] })
  class BenchApp {}
  const app: INestApplication = await NestFactory.create(BenchApp, { logger: silent });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const docket = app.get(DocketService).docket;
  // Known here by name only; the worker process runs it.
  docket.register(async function hold(_steps: number, _every: number): Promise<void> {});
  const steps = Math.ceil((6 * WINDOW_MS + 20_000) / EVERY_MS);
  await docket.addMany(Array.from({ length: n }, () => docket.call('hold')(steps, EVERY_MS)));
  const worker: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'dashboard-worker.ts'), url, name, String(n)], { stdio: 'inherit' });
  const pages: Page[] = [];
  let events = 0;
  const counting = docket.events$().subscribe(() => events++);
  const window = async (): Promise<Window> => {
    const cpu = process.cpuUsage();
    const before = events;
    await sleep(WINDOW_MS);
    const used = process.cpuUsage(cpu);
    return { cpuMs: (used.user + used.system) / 1000, events: events - before };
  };
  const probe = (page: Page): Promise<Probe> => page.evaluate(() => (globalThis as unknown as { __docket: Probe }).__docket);
  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/docket?measure${QUERY ? `&${QUERY}` : ''}#/running`);
    await page.waitForFunction((count) => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }).document.getElementById('running-count')?.textContent === `(${count})`, n, { timeout: 60_000, polling: 200 });
    pages.push(page);
    return page;
  };
  try {
    await until(async () => (await docket.snapshot(n + 10)).running.length >= n, `${n} running executions`);
    await sleep(1_000);
    const none = await window();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapNone = process.memoryUsage().heapUsed;
    const first = await open();
    await sleep(1_000);
    await first.evaluate(() => {
      const p = (globalThis as unknown as { __docket: Probe }).__docket;
      p.lags.length = 0;
      p.longTasks = 0;
    });
    const start = await probe(first);
    const drawsBefore = start.draws;
    const one = await window();
    const seen = await probe(first);
    const scriptMs = seen.drawMs - start.drawMs + (seen.applyMs - start.applyMs) + (seen.tickMs - start.tickMs);
    gc?.();
    const heapOne = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3; i++) await open();
    await sleep(1_000);
    const four = await window();
    gc?.();
    const heapFour = process.memoryUsage().heapUsed;
    const perEvent = (w: Window): number => (w.cpuMs * 1000) / Math.max(1, w.events);
    return {
      running: n,
      eventsPerSecond: (one.events / WINDOW_MS) * 1000,
      lagP50: pct(seen.lags, 50),
      lagP95: pct(seen.lags, 95),
      reportsDrawn: seen.lags.length,
      framesPerSecond: ((seen.draws - drawsBefore) / WINDOW_MS) * 1000,
      longTasks: seen.longTasks,
      scriptMsPerSecond: (scriptMs / WINDOW_MS) * 1000,
      batchesPerSecond: ((seen.batches - start.batches) / WINDOW_MS) * 1000,
      cpuPerEventNoPage: perEvent(none),
      cpuPerEventOnePage: perEvent(one),
      cpuPerEventFourPages: perEvent(four),
      cpuPerEventPerExtraPage: (perEvent(four) - perEvent(one)) / 3,
      heapFirstPageKiB: (heapOne - heapNone) / 1024,
      heapPerExtraPageKiB: (heapFour - heapOne) / 3 / 1024,
    };
  } finally {
    counting.unsubscribe();
    for (const page of pages) await page.close();
    worker.kill('SIGKILL');
    await docket.clear().catch(() => undefined);
    await app.close();
  }
}

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const browser = await launchChromium();
  const rounds = new Map<number, Record<string, number>[]>(SIZES.map((n) => [n, []]));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const n of SIZES) {
        process.stderr.write(`bench:dashboard: round ${round}/${ROUNDS}, ${n} running executions…\n`);
        rounds.get(n)!.push(await measureSize(server.url, browser, n));
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const rows = SIZES.map((n) => {
    const all = rounds.get(n)!;
    return Object.fromEntries(Object.keys(all[0]).map((k) => [k, pct(all.map((r) => r[k]), 50)]));
  });
  const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const lines = [
    `| Running executions | ${rows.map((r) => r.running).join(' | ')} |`,
    `|---|${rows.map(() => '---:').join('|')}|`,
    `| Progress events per second | ${rows.map((r) => f(r.eventsPerSecond, 0)).join(' | ')} |`,
    `| Report → frame drawn, p50 (ms) | ${rows.map((r) => f(r.lagP50, 0)).join(' | ')} |`,
    `| Report → frame drawn, p95 (ms) | ${rows.map((r) => f(r.lagP95, 0)).join(' | ')} |`,
    `| Batches of deltas received per second | ${rows.map((r) => f(r.batchesPerSecond, 0)).join(' | ')} |`,
    `| Page script time: take in, draw, clocks (ms per s) | ${rows.map((r) => f(r.scriptMsPerSecond)).join(' | ')} |`,
    `| Frames drawn per second | ${rows.map((r) => f(r.framesPerSecond, 0)).join(' | ')} |`,
    `| Main-thread tasks over 50 ms in ${WINDOW_MS / 1000} s | ${rows.map((r) => f(r.longTasks, 0)).join(' | ')} |`,
    `| App CPU per event, no page (µs) | ${rows.map((r) => f(r.cpuPerEventNoPage)).join(' | ')} |`,
    `| App CPU per event, one page (µs) | ${rows.map((r) => f(r.cpuPerEventOnePage)).join(' | ')} |`,
    `| App CPU per event, four pages (µs) | ${rows.map((r) => f(r.cpuPerEventFourPages)).join(' | ')} |`,
    `| … per page after the first (µs) | ${rows.map((r) => f(r.cpuPerEventPerExtraPage)).join(' | ')} |`,
    `| App heap for the first page (KiB) | ${rows.map((r) => f(r.heapFirstPageKiB, 0)).join(' | ')} |`,
    `| … per page after the first (KiB) | ${rows.map((r) => f(r.heapPerExtraPageKiB, 0)).join(' | ')} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync('.bench', { recursive: true });
  const file = join('.bench', `dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ window: WINDOW_MS, medians: rows, rounds: Object.fromEntries(rounds) }, null, 2));
  process.stdout.write(`JSON: ${file}\n`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
