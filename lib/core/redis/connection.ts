/**
 * The only place that creates Redis connections.
 *
 * Roles:
 * - `command`: the producer's connection. It fails fast when Redis is down, so that `add()`
 *   says so with a RedisUnavailableError instead of hanging.
 * - `worker`: a worker's commands. It waits out outages and restarts (commands are queued and
 *   resent), because completions must not be lost.
 * - `blocking`: a worker's XREADGROUP BLOCK reads, which must not share a socket with anything.
 * - `subscriber`: the process-wide pub/sub connection (see subscriber.ts).
 *
 * `redis+cluster://` URLs give an ioredis Cluster; the docket then prefixes its keys with a
 * `{name}` hash tag, so every key (and so every script and pipeline) stays on one slot.
 * `redis+sentinel://` URLs ask the Sentinels for the master and follow it through failovers.
 */
import type { ConnectionOptions } from 'node:tls';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors/docket.errors';
import { settledBy } from '../util/deadline';
import type { DocketLogger } from '../util/logger';
import { FailoverWatch } from './failover-watch';
import { maskPassword } from '../util/mask-password';
import { isClusterUrl, isSentinelUrl, parseClusterUrl, parseRedisUrl, parseSentinelUrl } from './redis-url';

export { isClusterUrl } from './redis-url';

const lastErrors = new WeakMap<RedisClient, string>();

/** A connection to one Redis server, or to a Redis Cluster (`redis+cluster://`). */
export type RedisClient = Redis | Cluster;

export type ConnectionRole = 'command' | 'worker' | 'blocking' | 'subscriber';

/**
 * Creates a connection for `role`; it connects lazily on first use or on `connect()`. `tls` adds
 * to the TLS settings of a `rediss://` URL (a private CA, a client certificate).
 */
export function createConnection(url: string, role: ConnectionRole, logger: DocketLogger, tls?: ConnectionOptions, commandTimeout?: number): RedisClient {
  const cluster = isClusterUrl(url) ? parseClusterUrl(url) : undefined;
  const sentinel = !cluster && isSentinelUrl(url);
  const { options, display } = cluster ?? (sentinel ? parseSentinelUrl(url) : parseRedisUrl(url));
  if (tls && options.tls) options.tls = { ...options.tls, ...tls };
  if (tls && options.sentinelTLS) options.sentinelTLS = { ...options.sentinelTLS, ...tls };
  let outage = 0;
  const retry = (attempt: number): number => {
    const delay = Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
    if (outage++ === 0) {
      logger.warn(`Lost the ${role} connection to Redis at ${display}; reconnecting every ≤${delay} ms`);
    }
    return delay;
  };
  const connection: RedisOptions = {
    ...options,
    connectionName: `docket:${role}:${process.pid}`,
    autoResubscribe: false,
    // Auto-pipelining is off on purpose: it holds every write for a turn of the event loop,
    // which cost a third of the drain throughput and doubled add → result p99 in the benchmark.
    enableAutoPipelining: false,
    maxRetriesPerRequest: role === 'command' ? 1 : null,
    // On disconnect() ioredis ends the socket and arms a timer that destroys it if it has not
    // closed by then; that timer holds the process open, for 2 s by default, and when the socket
    // had already closed (a connect that failed) nothing clears it. A close here has sent QUIT
    // already, so the socket has nothing left to wait for.
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // A producer's command fails after this long instead of hanging on a paused Redis.
    ...(commandTimeout !== undefined ? { commandTimeout } : {}),
  };
  const client: RedisClient = cluster
    ? new Cluster(cluster.nodes, {
        lazyConnect: true,
        enableAutoPipelining: false,
        clusterRetryStrategy: retry,
        redisOptions: connection,
      })
    : new Redis({ ...connection, lazyConnect: true, retryStrategy: retry });
  if (sentinel) FailoverWatch.follow(connectionKey(url, tls), client as Redis, connection, logger);
  client.on('ready', () => {
    if (outage > 0) logger.log(`Reconnected the ${role} connection to Redis at ${display}`);
    outage = 0;
  });
  // Errors surface through the commands that hit them; the last one is kept to explain a
  // failed connect (ioredis itself only says "Connection is closed").
  client.on('error', (err: Error) => lastErrors.set(client, err.message));
  return client;
}

/** How long a disconnect waits for the socket to close before it destroys it. */
const DISCONNECT_TIMEOUT_MS = 50;

const tlsIds = new WeakMap<ConnectionOptions, number>();
let lastTlsId = 0;

/**
 * What tells connections apart for sharing (the subscriber hub, a Sentinel URL's failover
 * watch): the URL, and the identity of the TLS options given with it.
 */
export function connectionKey(url: string, tls: ConnectionOptions | undefined): string {
  if (!tls) return url;
  let id = tlsIds.get(tls);
  if (id === undefined) tlsIds.set(tls, (id = ++lastTlsId));
  return `${url}#tls${id}`;
}

/**
 * Closes `client`: QUIT when it is up, so that replies on their way still arrive, then a disconnect, which also
 * closes whatever ioredis opened beside it.
 */
export async function closeConnection(client: RedisClient): Promise<void> {
  if (client instanceof Redis) FailoverWatch.release(client);
  // QUIT lets answers on their way arrive first; a connection waiting to reconnect would hold it
  // (and the close) until Redis is back, where a subscriber's commands wait for ever. A Redis
  // that is paused never answers it: the close goes on after QUIT_WAIT_MS.
  if (client.status === 'ready') await settledBy(Date.now() + QUIT_WAIT_MS, client.quit());
  disconnectNow(client);
}

/**
 * Disconnects `client`, failing what still waits on it. ioredis fails its queued commands when
 * the socket closes; a connection waiting to reconnect has no socket left to close, so without
 * this its queued commands (a worker's blocking read, a claim) would wait for ever, and so would
 * whatever awaits them (a worker's loop after a stop while Redis is down).
 */
function disconnectNow(client: RedisClient): void {
  const stranded = client instanceof Redis && client.status === 'reconnecting';
  client.disconnect();
  if (stranded) {
    const queues = client as unknown as { flushQueue?: (error: Error) => void };
    queues.flushQueue?.(new Error('Connection is closed.'));
  }
}

/** How long a close waits for QUIT's answer. */
const QUIT_WAIT_MS = 500;

/** Drops `client` at once (no QUIT), and what follows it. */
export function dropConnection(client: RedisClient): void {
  if (client instanceof Redis) FailoverWatch.release(client);
  disconnectNow(client);
}

/** Opens `client` now, turning a failure into a RedisUnavailableError naming the URL. */
export async function openConnection(client: RedisClient, url: string): Promise<void> {
  if (client.status === 'ready') return;
  // Through Sentinels, ioredis goes on asking them for as long as none answers and its connect()
  // never settles: the first round in which every Sentinel failed ends the open instead.
  let sentinelsFailed: ((err: Error) => void) | undefined;
  try {
    if (client.status === 'wait') {
      const connecting = client.connect();
      connecting.catch(() => undefined);
      const noSentinel = new Promise<never>((_, reject) => {
        sentinelsFailed = (err) => {
          if (err.message.startsWith(SENTINELS_UNREACHABLE)) reject(err);
        };
        client.on('error', sentinelsFailed);
      });
      await Promise.race([connecting, noSentinel]);
    } else await client.ping();
    await selectDatabase(client, url);
  } catch (err) {
    dropConnection(client);
    if (err instanceof RedisUnavailableError) throw err;
    const cause = lastErrors.get(client)?.replace(/ Retrying from scratch after \d+ms\./, '');
    throw new RedisUnavailableError(maskPassword(url), cause ?? (err instanceof Error ? err.message : String(err)));
  } finally {
    if (sentinelsFailed) client.off('error', sentinelsFailed);
  }
}

/**
 * Selects the URL's database again, now, to learn whether the server has it: ioredis selects it
 * on connect but goes on with database 0 when the server refuses, which would mix dockets of
 * different environments (and let `docket clear` empty the wrong one).
 */
async function selectDatabase(client: RedisClient, url: string): Promise<void> {
  const db = client instanceof Redis ? client.options.db : undefined;
  if (!db) return;
  try {
    await client.select(db);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RedisUnavailableError(maskPassword(url), `the server has no database ${db} (${why}); name one below its "databases" setting`);
  }
}

/** How ioredis's error begins when no Sentinel of a round answered. */
const SENTINELS_UNREACHABLE = 'All sentinels are unreachable';

/** Wraps a connection-level failure in a RedisUnavailableError; other errors pass through. */
export function unavailable(url: string, err: unknown): Error {
  if (err instanceof RedisUnavailableError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|Connection is closed|max retries|EHOSTUNREACH|ENOENT|NOAUTH|WRONGPASS|Stream isn't writeable|Command timed out/i.test(message)) {
    return new RedisUnavailableError(maskPassword(url), message);
  }
  return err instanceof Error ? err : new Error(message);
}
