/**
 * Helpers for tests: unique docket names, waiting on conditions (never on sleeps), and a check
 * that a docket left no key behind that should not outlive it.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Docket, type DocketOptions, type DocketLogger } from '../../lib';

export const redisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export const uniqueName = (label = 'test'): string => `${label}-${randomUUID().slice(0, 8)}`;

/** A logger that keeps lines for assertions and prints nothing. */
export class MemoryLogger implements DocketLogger {
  readonly lines: string[] = [];
  log = (m: string): void => void this.lines.push(`LOG ${m}`);
  warn = (m: string): void => void this.lines.push(`WARN ${m}`);
  error = (m: string): void => void this.lines.push(`ERROR ${m}`);
  debug = (m: string): void => void this.lines.push(`DEBUG ${m}`);
}

export function testDocket(options: DocketOptions = {}): Docket {
  return new Docket({ name: uniqueName(), url: redisUrl(), logger: new MemoryLogger(), ...options });
}

/** Waits until `predicate` holds, checking often; fails with `description` after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, description: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await predicate()) return;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting until ${description}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Keys of the docket that have no TTL, apart from the permanent structures. */
export async function leakedKeys(docket: Docket, url = redisUrl()): Promise<string[]> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${docket.keys.prefix}:*`);
    const permanent = new Set([docket.keys.stream, docket.keys.queue, docket.keys.workers, docket.keys.sweepCursor, docket.keys.quarantine]);
    const leaked: string[] = [];
    for (const key of keys) {
      if (permanent.has(key)) continue;
      if ((await client.pttl(key)) === -1) leaked.push(key);
    }
    return leaked;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key of the docket (for afterEach cleanup of the shared server). */
export async function dropDocket(docket: Docket, url = redisUrl()): Promise<void> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${docket.keys.prefix}:*`);
    if (keys.length) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
