/**
 * Helpers for tests: unique docket names, waiting on conditions (never on sleeps), and a check
 * that a docket left no key behind that should not outlive it.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Docket, Worker, type DocketOptions, type DocketLogger } from '../../lib';
import { isMemoryUrl, memorySpaceOf } from '../../lib/core/memory/memory-space';

/**
 * The backend the shared core specs run on: Redis, or with DOCKET_TEST_BACKEND=memory the
 * in-process one (jest's "memory" project sets it; see package.json).
 */
export const onMemory = process.env.DOCKET_TEST_BACKEND === 'memory';

/** The URL of the backend under test: one shared memory space per jest worker on memory. */
export const redisUrl = (): string => (onMemory ? 'memory://jest' : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'));

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
  const permanent = new Set([docket.keys.stream, docket.keys.queue, docket.keys.workers, docket.keys.sweepCursor, docket.keys.quarantine]);
  if (isMemoryUrl(url)) {
    // A space whose last docket closed is gone, and with it every key.
    const space = memorySpaceOf(url);
    return (space?.keys(`${docket.keys.prefix}:*`) ?? []).filter((key) => !permanent.has(key) && space?.ttl(key) === -1);
  }
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${docket.keys.prefix}:*`);
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
  if (isMemoryUrl(url)) {
    const space = memorySpaceOf(url);
    for (const key of space?.keys(`${docket.keys.prefix}:*`) ?? []) space?.del(key);
    return;
  }
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${docket.keys.prefix}:*`);
    if (keys.length) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

/**
 * Closes what a test opened once it ends, whether it passed or failed, so that a failure leaves
 * nothing running into the next test: call it in a describe, and pass each docket and worker
 * through the function it returns as they are made. Workers stop first, then dockets close (and
 * their keys go).
 */
export function closeAfterEach(): <T extends Docket | Worker>(opened: T) => T {
  const opened: (Docket | Worker)[] = [];
  afterEach(async () => {
    const all = opened.splice(0);
    for (const worker of all) if (worker instanceof Worker) await worker.stop({ drainTimeout: 0 });
    for (const docket of all) if (docket instanceof Docket) await docket.close().then(() => dropDocket(docket));
  });
  return (thing) => {
    opened.push(thing);
    return thing;
  };
}

/**
 * A test that needs Redis itself (it reads or writes keys, counts pub/sub channels or lists
 * clients through a connection of its own): it runs on the Redis backend and is skipped when the
 * shared specs run on memory, where no server exists to ask.
 */
export const itOnRedis: jest.It = onMemory ? it.skip : it;
