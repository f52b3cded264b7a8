import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Docket, RedisUnavailableError, Worker } from '../../lib';
import { parseClusterUrl, parseSentinelUrl } from '../../lib/core/redis/redis-url';
import { maskPassword } from '../../lib/core/util/mask-password';
import { MemoryLogger, uniqueName, waitUntil } from '../support/docket-test';
import { freePort, RedisServer } from '../support/redis-server';

/**
 * A Sentinel watching the master at `masterPort` under the name `mymaster` (and the one at
 * `otherPort` as `other`); it decides alone (quorum 1).
 */
async function startSentinel(dir: string, masterPort: number, otherPort: number): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1 ::1',
      // Clients that name no user are let in as before; `watcher` is for the credentials test.
      'user watcher on >watch-pass ~* &* +@all',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
      `sentinel monitor other 127.0.0.1 ${otherPort} 1`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 5000',
      '',
    ].join('\n'),
  );
  const proc = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  await waitUntil(async () => {
    try {
      await probe.connect();
      return (await probe.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) !== null;
    } catch {
      probe.disconnect();
      return false;
    }
  }, 'the Sentinel knows the master');
  probe.disconnect();
  return { port, proc };
}

describe('redis+sentinel://', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let other: RedisServer;
  let sentinel: { port: number; proc: ChildProcess };

  beforeAll(async () => {
    master = await RedisServer.start();
    other = await RedisServer.start();
    replica = await RedisServer.start();
    const admin = new Redis(replica.port);
    await admin.replicaof('127.0.0.1', master.port);
    await waitUntil(async () => /master_link_status:up/.test(await admin.info('replication')), 'the replica is in sync');
    admin.disconnect();
    sentinel = await startSentinel(master.dir, master.port, other.port);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      sentinel.proc.once('exit', () => resolve());
      sentinel.proc.kill('SIGKILL');
    });
    await replica.stop();
    await master.stop();
    await other.stop();
  });

  /** How many connections to the Sentinel are the failover watch's. */
  async function watchConnections(): Promise<number> {
    const admin = new Redis(sentinel.port);
    try {
      return ((await admin.client('LIST')) as string).split('\n').filter((line) => line.includes(' name=docket:sentinel-watch:')).length;
    } finally {
      admin.disconnect();
    }
  }

  it('finds the master through the Sentinels and follows it through a failover', async () => {
    const url = `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster/0`;
    const docket = new Docket({ name: uniqueName('sentinel'), url, logger: new MemoryLogger() });
    docket.register(async function echo(value: string): Promise<string> {
      return value;
    });
    const worker = new Worker(docket, { redeliveryTimeout: 2_000 });
    const run = worker.runForever();
    try {
      await expect((await docket.add('echo')('before')).getResult({ timeout: 10_000 })).resolves.toBe('before');
      const sentinelAdmin = new Redis(sentinel.port);
      await waitUntil(async () => {
        const replicas = (await sentinelAdmin.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
        return replicas.some((fields) => fields.join(' ').includes('master-link-status ok') && fields[fields.indexOf('flags') + 1] === 'slave');
      }, 'the Sentinel sees the replica in sync', 30_000);
      await sentinelAdmin.call('SENTINEL', 'FAILOVER', 'mymaster');
      await waitUntil(
        async () => ((await sentinelAdmin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[])[1] === String(replica.port),
        'the replica is the master now',
      );
      sentinelAdmin.disconnect();
      // The Sentinel's announcement alone moves every connection of the docket over.
      const newMaster = new Redis(replica.port);
      await waitUntil(async () => {
        const clients = (await newMaster.client('LIST')) as string;
        return ['blocking', 'command', 'subscriber', 'worker'].every((role) => clients.includes(` name=docket:${role}:`));
      }, 'the connections are on the new master');
      // The Sentinel turns the old master into a replica only after seconds; do it now. (Writes
      // that reach an old master before it steps down are lost to any Redis client: the failover's
      // own window.) From then on it answers READONLY, and the docket moves over.
      const oldMaster = new Redis(master.port);
      await oldMaster.replicaof('127.0.0.1', replica.port);
      oldMaster.disconnect();
      const after = await docket.add('echo')('after');
      await expect(after.getResult({ timeout: 20_000 })).resolves.toBe('after');
      expect(await newMaster.exists(docket.keys.runs(after.key))).toBe(1);
      newMaster.disconnect();
    } finally {
      await worker.stop();
      await run;
      await docket.close();
    }
    // Closed means closed: no connection of the docket's is left to keep the process alive,
    // including the ones ioredis keeps to the Sentinels to hear of failovers.
    const sentinelAdmin = new Redis(sentinel.port);
    const subscribed = async (): Promise<number> =>
      ((await sentinelAdmin.client('LIST')) as string).split('\n').filter((line) => / cmd=(p?subscribe|ping) /.test(line) && !line.includes(' cmd=client')).length;
    await waitUntil(async () => (await subscribed()) === 0, 'the docket left the Sentinel');
    sentinelAdmin.disconnect();
  });

  it('logs a Sentinel that is down once, prints nothing to stderr, and runs on through the others', async () => {
    const down = await freePort();
    // The live Sentinel by its IPv6 address.
    const url = `redis+sentinel://127.0.0.1:${down},[::1]:${sentinel.port}/mymaster/0`;
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('sentinel-down'), url, logger });
    docket.register(async function echo(value: string): Promise<string> {
      return value;
    });
    const worker = new Worker(docket, { logger });
    const printed = jest.spyOn(console, 'error');
    const run = worker.runForever();
    try {
      await expect((await docket.add('echo')('through the other')).getResult({ timeout: 10_000 })).resolves.toBe('through the other');
      await waitUntil(async () => logger.lines.some((l) => l.includes(`Cannot reach the Sentinel at 127.0.0.1:${down}`)), 'the Sentinel that is down is logged');
    } finally {
      await worker.stop();
      await run;
      await docket.close();
      printed.mockRestore();
    }
    expect(printed.mock.calls.map((args) => args.join(' ')).filter((line) => line.includes('ioredis'))).toEqual([]);
    // One watch serves every connection of the URL in this process: one warning, not one each.
    expect(logger.lines.filter((l) => l.includes('Cannot reach the Sentinel'))).toHaveLength(1);
  });

  it('asks Sentinels that want credentials of their own with ?sentinelUsername= and ?sentinelPassword=', async () => {
    const base = `redis+sentinel://127.0.0.1:${sentinel.port}/mymaster?db=0&sentinelUsername=watcher`;
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('sentinel-acl'), url: `${base}&sentinelPassword=watch-pass`, logger });
    docket.register(async function echo(value: string): Promise<string> {
      return value;
    });
    const worker = new Worker(docket);
    const run = worker.runForever();
    try {
      await expect((await docket.add('echo')('with credentials')).getResult({ timeout: 10_000 })).resolves.toBe('with credentials');
    } finally {
      await worker.stop();
      await run;
      await docket.close();
    }
    // The failover watch got in with the same credentials.
    expect(logger.lines.filter((l) => l.includes('Cannot reach the Sentinel'))).toEqual([]);
    // No Sentinel that answers: a named error, not a connect that waits forever.
    const wrong = new Docket({ url: `${base}&sentinelPassword=nope`, logger: new MemoryLogger() });
    wrong.register(async function echo(value: string): Promise<string> {
      return value;
    });
    await expect(wrong.add('echo')('never')).rejects.toThrow(/All sentinels are unreachable.*WRONGPASS/);
    await wrong.close();
    const none = new Docket({ url: `redis+sentinel://127.0.0.1:${await freePort()}/mymaster`, logger: new MemoryLogger() });
    await expect(none.connect()).rejects.toThrow(RedisUnavailableError);
    await none.close();
  });

  it('reads IPv6 hosts, ?db= and the Sentinel credentials from the URL', () => {
    const { options } = parseSentinelUrl('redis+sentinel://[::1]:26380,10.0.0.6/mymaster?db=3&sentinelUsername=w%40tcher&sentinelPassword=p');
    expect(options.sentinels).toEqual([
      { host: '::1', port: 26380 },
      { host: '10.0.0.6', port: 26379 },
    ]);
    expect(options).toMatchObject({ name: 'mymaster', db: 3, sentinelUsername: 'w@tcher', sentinelPassword: 'p' });
    expect(parseClusterUrl('redis+cluster://[::1]:7000,[fe80::1]').nodes).toEqual([
      { host: '::1', port: 7000 },
      { host: 'fe80::1', port: 6379 },
    ]);
  });

  it('asks first, when it reconnects, the Sentinel that answered last', async () => {
    // Not a Sentinel, first in the URL: it notes what each connection says first and hangs up.
    const asked: string[] = [];
    const hangsUp = createServer((socket) => {
      socket.once('data', (chunk) => {
        asked.push(chunk.toString());
        socket.destroy();
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => hangsUp.listen(0, '127.0.0.1', resolve));
    const fake = (hangsUp.address() as { port: number }).port;
    const docket = new Docket({ name: uniqueName('sentinel-order'), url: `redis+sentinel://127.0.0.1:${fake},127.0.0.1:${sentinel.port}/mymaster/0`, logger: new MemoryLogger() });
    docket.register(async function echo(value: string): Promise<string> {
      return value;
    });
    const sentinelAdmin = new Redis(sentinel.port);
    const [, port] = (await sentinelAdmin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
    sentinelAdmin.disconnect();
    const onMaster = new Redis(Number(port));
    try {
      await docket.connect();
      // Connections that came to look the master up (the failover watch's name themselves).
      const lookups = (): number => asked.filter((first) => !first.includes('sentinel-watch')).length;
      expect(lookups()).toBe(1);
      // The first add opens the subscriber connection too (it follows the strikes): one more lookup.
      await docket.add('echo')('before the reconnect');
      expect(lookups()).toBe(2);
      const command = String(await onMaster.client('LIST')).split('\n').find((line) => line.includes(' name=docket:command:'))!;
      await onMaster.client('KILL', 'ID', command.match(/\bid=(\d+)/)![1]);
      await waitUntil(async () => String(await onMaster.client('LIST')).includes(' name=docket:command:'), 'the command connection is back');
      await docket.add('echo')('after the reconnect');
      expect(lookups()).toBe(2);
    } finally {
      onMaster.disconnect();
      await docket.close();
      await new Promise((resolve) => hangsUp.close(resolve));
    }
  });

  it('closed while its master is down and it waits to reconnect, it leaves the Sentinel too', async () => {
    const logger = new MemoryLogger();
    const docket = new Docket({ name: uniqueName('sentinel-close'), url: `redis+sentinel://127.0.0.1:${sentinel.port}/other/0`, logger });
    await docket.connect();
    await waitUntil(async () => (await watchConnections()) === 1, 'the failover watch is on');
    await other.stop();
    // ioredis emits no 'end' for a connection closed while it waits to reconnect.
    await waitUntil(() => logger.lines.some((l) => l.includes('Lost the command connection')), 'the connection waits to reconnect');
    await docket.close();
    await waitUntil(async () => (await watchConnections()) === 0, 'the failover watch left the Sentinel');
  });

  it('names what is wrong with a Sentinel URL', async () => {
    const noMaster = new Docket({ url: `redis+sentinel://127.0.0.1:${sentinel.port}`, logger: new MemoryLogger() });
    await expect(noMaster.connect()).rejects.toThrow(RedisUnavailableError);
    await expect(noMaster.connect()).rejects.toThrow(/names no master/);
    await noMaster.close();
  });

  it('never prints a Sentinel password, however it is written', () => {
    for (const written of ['a+b%21', 's3cret', 'p%2Fss']) {
      const url = `redis+sentinel://u:master-pass@127.0.0.1:26379/mymaster/0?sentinelPassword=${written}`;
      expect(maskPassword(url)).toBe('redis+sentinel://u:***@127.0.0.1:26379/mymaster/0?sentinelPassword=***');
    }
    expect(parseSentinelUrl('redis+sentinel://127.0.0.1:26379/mymaster?sentinelPassword=a+b%21').options.sentinelPassword).toBe('a+b!');
  });
});
