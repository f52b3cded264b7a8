/**
 * Gives the suite a Redis: REDIS_URL when set, otherwise a private redis-server on a free
 * loopback port that global-teardown stops. Tests never flush a database they did not create.
 *
 * The CLI's tests run it as a real process from its build (dist): when lib/ changed since the
 * last build, it is built again first, so that `npx jest` never tests an old CLI.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RedisServer } from './redis-server';

declare global {
  var __DOCKET_REDIS__: RedisServer | undefined;
}

const ROOT = resolve(__dirname, '../..');

/** The newest modification time of the files under `dir` (0 when there is none). */
function newest(dir: string): number {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function buildIfStale(): void {
  const dist = join(ROOT, 'dist');
  if (newest(join(dist, 'cli')) >= newest(join(ROOT, 'lib'))) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'lib/dashboard/client/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  // tsc leaves an output it would write the same untouched: this marks the build as current.
  writeFileSync(join(dist, 'cli', '.built'), new Date().toISOString());
}

export default async function globalSetup(): Promise<void> {
  buildIfStale();
  if (process.env.REDIS_URL) return;
  const server = await RedisServer.start();
  globalThis.__DOCKET_REDIS__ = server;
  process.env.REDIS_URL = server.url;
}
