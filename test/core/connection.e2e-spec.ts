import { join } from 'node:path';
import { Docket, RedisUnavailableError, Worker } from '../../lib/core';
import { MemoryLogger, uniqueName } from '../support/docket-test';
import { RedisServer } from '../support/redis-server';

async function roundTrip(docket: Docket): Promise<unknown> {
  docket.register(async function echo(value: string): Promise<string> {
    return value;
  });
  const execution = await docket.add('echo')('over the wire');
  await new Worker(docket).runUntilFinished();
  const result = await execution.getResult({ timeout: 5_000 });
  await docket.close();
  return result;
}

describe('connecting to Redis', () => {
  let server: RedisServer;
  let socket: string;
  beforeAll(async () => {
    server = await RedisServer.start({
      extraArgs: ['--unixsocket', 'redis.sock', '--user', 'alice', 'on', '>s3cret', '~*', '&*', '+@all'],
    });
    socket = join(server.dir, 'redis.sock');
  });
  afterAll(async () => {
    await server.stop();
  });

  const docket = (url: string, hashTag = false): Docket => new Docket({ name: uniqueName('conn'), url, hashTag, logger: new MemoryLogger() });

  it('speaks over a unix socket', async () => {
    await expect(roundTrip(docket(`unix://${socket}?db=2`))).resolves.toBe('over the wire');
  });

  it('authenticates as an ACL user', async () => {
    await expect(roundTrip(docket(`redis://alice:s3cret@127.0.0.1:${server.port}/1`))).resolves.toBe('over the wire');
  });

  it('prefixes every key with a {name} hash tag for Redis Cluster', async () => {
    const tagged = docket(server.url, true);
    expect(tagged.keys.stream).toBe(`{${tagged.name}}:stream`);
    expect(tagged.keys.runs('k')).toBe(`{${tagged.name}}:runs:k`);
    await expect(roundTrip(tagged)).resolves.toBe('over the wire');
  });

  it('says which URL is unreachable, and why', async () => {
    const down = docket('redis://127.0.0.1:1/0');
    const error = await down.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1\/0 is unavailable: .*ECONNREFUSED/);
    await down.close();
  });

  it('reads from a Redis that went away fail by name, not with a driver error', async () => {
    const gone = await RedisServer.start();
    const reader = docket(gone.url);
    try {
      await reader.connect();
      await gone.stop();
      for (const read of [() => reader.snapshot(), () => reader.getExecution('k'), () => reader.workers(), () => reader.clear()]) {
        const error = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RedisUnavailableError);
        expect((error as Error).message).toContain(`Redis at ${gone.url} is unavailable`);
      }
    } finally {
      await reader.close();
    }
  });

  it('never prints the password of a rejected login', async () => {
    const wrong = docket(`redis://alice:wrong-pass@127.0.0.1:${server.port}/0`);
    const error = (await wrong.add(async function x() {})().catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(`redis://alice:***@127.0.0.1:${server.port}/0`);
    expect(error.message).not.toContain('wrong-pass');
    await wrong.close();
  });

  it('rejects an unsupported scheme by name', async () => {
    await expect(new Docket({ url: 'memcached://x' }).connect()).rejects.toThrow(/scheme memcached:\/\/ is not supported/);
  });
});
