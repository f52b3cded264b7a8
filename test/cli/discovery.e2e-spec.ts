/**
 * `docket watch KEY` for a key the chosen docket does not have: the error names the docket it
 * looked in, the docket that has the key, or the dockets that Redis does have. On a private
 * redis-server, so that the test knows every docket on it.
 */
import Redis from 'ioredis';
import { Docket } from '../../lib';
import { DISCOVERY_KEY_LIMIT } from '../../lib/core/backends';
import { MemoryLogger } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';
import { runCli } from './support/cli-process';

describe('docket watch, for a key the docket does not have', () => {
  let server: RedisServer;
  let orders: Docket;
  let billing: Docket;

  beforeAll(async () => {
    server = await RedisServer.start();
    orders = new Docket({ name: 'orders', url: server.url, logger: new MemoryLogger() });
    // A hash-tagged docket: its keys start with {billing}.
    billing = new Docket({ name: 'billing', url: server.url, hashTag: true, logger: new MemoryLogger() });
    for (const docket of [orders, billing]) docket.register(async function noop(): Promise<void> {});
    await orders.add('noop')();
    await billing.add('noop', { key: 'invoice-7' })();
    await billing.cancel('invoice-7');
  });

  afterAll(async () => {
    await orders?.close();
    await billing?.close();
    await server?.stop();
  });

  it('names the docket that has the key, in the form --docket takes, and --docket then finds it', async () => {
    const missing = await runCli(['watch', 'invoice-7', '--url', server.url], { env: { DOCKET_NAME: undefined } });

    expect(missing.code).toBe(4);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(
      `error: No execution "invoice-7" in docket "docket".\n` + `Docket "{billing}" has one: pass --docket '{billing}' (or set DOCKET_NAME='{billing}').\n`,
    );

    const found = await runCli(['watch', 'invoice-7', '--url', server.url, '--docket', '{billing}', '--json']);
    expect(found.code).toBe(3);
    expect(JSON.parse(found.stdout)).toMatchObject({ docket: '{billing}', key: 'invoice-7', task: 'noop', state: 'cancelled' });
  });

  it('lists the dockets on that Redis when none has the key', async () => {
    const result = await runCli(['watch', 'no-such-key'], { env: { DOCKET_URL: server.url, DOCKET_NAME: 'shipping' } });

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'error: No execution "no-such-key" in docket "shipping": it was never added there, or it finished longer ago than the execution TTL and its record expired.',
      'Dockets on this Redis: orders, {billing}. Pass --docket NAME (or set DOCKET_NAME).',
      '',
    ]);
  });

  it('on a Redis without any docket, says so and where the URL came from', async () => {
    const empty = server.url.replace(/\/0$/, '/1');
    const result = await runCli(['watch', 'no-such-key'], { env: { DOCKET_URL: undefined, REDIS_URL: empty, DOCKET_NAME: undefined } });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: No execution "no-such-key" in docket "docket": it was never added there');
    expect(result.stderr).toContain(`There is no docket on the Redis at ${empty} (from $REDIS_URL): pass --url URL (or set DOCKET_URL or REDIS_URL).`);
  });

  it(`stops looking after ${DISCOVERY_KEY_LIMIT} keys, and says that the list may be incomplete`, async () => {
    const crowded = server.url.replace(/\/0$/, '/2');
    const admin = new Redis(crowded);
    try {
      for (let batch = 0; batch < 3; batch++) {
        const pairs = Array.from({ length: DISCOVERY_KEY_LIMIT }, (_, i) => [`other-app:item:${batch}:${i}`, 'x']).flat();
        await admin.mset(...pairs);
      }
    } finally {
      admin.disconnect();
    }

    const result = await runCli(['watch', 'no-such-key', '--url', crowded], { env: { DOCKET_NAME: undefined } });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`There is no docket among the first ${DISCOVERY_KEY_LIMIT} keys of the Redis at ${crowded} (from --url)`);
  });
});
