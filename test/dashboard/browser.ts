/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser tests. Nothing is
 * downloaded: CHROMIUM_PATH, or /usr/bin/chromium (`.ci/run` installs Debian's package).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the tests save their screenshots. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'dashboard');

/** Starts a headless Chromium, or fails saying how to install one. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** What the page's script counts, for tests: snapshots taken in, batches of deltas, and progress lags. */
export interface PageProbe {
  snapshots: number;
  batches: number;
  lags: number[];
}

/** The page's probe. */
export function probeOf(page: Page): Promise<PageProbe> {
  return page.evaluate(() => (globalThis as unknown as { __docket: PageProbe }).__docket);
}

/** A page (sending `headers` with every request) whose script errors are collected in `errors`, once its first snapshot is in. */
export async function openPage(browser: Browser, url: string, errors: string[], headers?: Record<string, string>): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, extraHTTPHeaders: headers });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as { __docket?: PageProbe }).__docket?.snapshots === 1);
  return page;
}

/**
 * Waits until `selector` matches (or, with `gone`, matches nothing) in the page, checked every
 * 50 ms in the page itself.
 */
export async function waitFor(page: Page, selector: string, gone = false): Promise<void> {
  await page.waitForFunction(
    ([sel, absent]) => ((globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(sel) === null) === absent,
    [selector, gone] as const,
    { polling: 50 },
  );
}
