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
 */
import { isIP } from 'node:net';
import Redis, { type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors/docket.errors';
import type { DocketLogger } from '../logger';

const lastErrors = new WeakMap<Redis, string>();

export type ConnectionRole = 'command' | 'worker' | 'blocking' | 'subscriber';

/** Parsed connection settings plus a printable URL with the password masked. */
export interface ParsedRedisUrl {
  options: RedisOptions;
  display: string;
}

/**
 * Parses `redis://`, `rediss://` (TLS) and `unix://` URLs, with user and password (ACL) and a
 * database number (`/2` or `?db=2`).
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(url, 'the URL is malformed (expected redis://host:port/db)');
  }
  const display = parsed.password ? url.replace(`:${parsed.password}@`, ':***@') : url;
  const options: RedisOptions = {};
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const dbParam = parsed.searchParams.get('db');
  switch (parsed.protocol) {
    case 'redis:':
    case 'rediss:': {
      options.host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
      options.port = parsed.port ? Number(parsed.port) : 6379;
      const path = parsed.pathname.replace(/^\//, '');
      if (path) options.db = Number(path);
      // SNI takes host names only; for an IP address the certificate is checked against the IP.
      if (parsed.protocol === 'rediss:') options.tls = isIP(options.host) ? {} : { servername: options.host };
      break;
    }
    case 'unix:':
      options.path = parsed.pathname;
      break;
    default:
      throw new RedisUnavailableError(
        display,
        `the scheme ${parsed.protocol}// is not supported (use redis://, rediss:// or unix://)`,
      );
  }
  if (dbParam !== null) options.db = Number(dbParam);
  if (options.db !== undefined && !Number.isInteger(options.db)) {
    throw new RedisUnavailableError(display, 'the database number is not an integer');
  }
  return { options, display };
}

/** Creates a connection for `role`; it connects lazily on first use or on `connect()`. */
export function createConnection(url: string, role: ConnectionRole, logger: DocketLogger): Redis {
  const { options, display } = parseRedisUrl(url);
  let outage = 0;
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectionName: `docket:${role}:${process.pid}`,
    autoResubscribe: false,
    // Auto-pipelining is off on purpose: it holds every write for a turn of the event loop,
    // which cost a third of the drain throughput and doubled add → result p99 in the benchmark.
    enableAutoPipelining: false,
    maxRetriesPerRequest: role === 'command' ? 1 : null,
    retryStrategy: (attempt) => {
      const delay = Math.min(50 * 2 ** Math.min(attempt, 6), 2000);
      if (outage++ === 0) {
        logger.warn(`Lost the ${role} connection to Redis at ${display}; reconnecting every ≤${delay} ms`);
      }
      return delay;
    },
  });
  client.on('ready', () => {
    if (outage > 0) logger.log(`Reconnected the ${role} connection to Redis at ${display}`);
    outage = 0;
  });
  // Errors surface through the commands that hit them; the last one is kept to explain a
  // failed connect (ioredis itself only says "Connection is closed").
  client.on('error', (err: Error) => lastErrors.set(client, err.message));
  return client;
}

/** Opens `client` now, turning a failure into a RedisUnavailableError naming the URL. */
export async function openConnection(client: Redis, url: string): Promise<void> {
  if (client.status === 'ready') return;
  try {
    if (client.status === 'wait') await client.connect();
    else await client.ping();
  } catch (err) {
    client.disconnect();
    const cause = lastErrors.get(client);
    throw new RedisUnavailableError(parseRedisUrl(url).display, cause ?? (err instanceof Error ? err.message : String(err)));
  }
}

/** Wraps a connection-level failure in a RedisUnavailableError; other errors pass through. */
export function unavailable(url: string, err: unknown): Error {
  if (err instanceof RedisUnavailableError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|Connection is closed|max retries|EHOSTUNREACH|ENOENT|NOAUTH|WRONGPASS|Stream isn't writeable/i.test(message)) {
    return new RedisUnavailableError(parseRedisUrl(url).display, message);
  }
  return err instanceof Error ? err : new Error(message);
}
