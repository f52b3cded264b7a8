/**
 * Reading the Redis URLs a docket takes: `redis://`, `rediss://` (TLS) and `unix://`, Redis
 * Cluster seed lists (`redis+cluster://`) and Sentinel URLs (`redis+sentinel://`), each into
 * ioredis options and a printable form with the passwords masked.
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../errors/docket.errors';
import { maskPassword } from '../util/mask-password';

const CLUSTER_SCHEMES = /^rediss?\+cluster:\/\//;

/**
 * Splits `host:port,[v6 address]:port,host` into addresses; a missing host is 127.0.0.1 and a
 * missing port `defaultPort`. A port that is not a number comes back as NaN, for the caller to name.
 */
function parseHosts(list: string, defaultPort: number): { host: string; port: number }[] {
  return list.split(',').filter(Boolean).map((hostPort) => {
    const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPort);
    const [host, port] = v6 ? [v6[1], v6[2]] : hostPort.split(':');
    return { host: host || '127.0.0.1', port: port ? Number(port) : defaultPort };
  });
}

/** True for `redis+cluster://` and `rediss+cluster://` URLs. */
export function isClusterUrl(url: string): boolean {
  return CLUSTER_SCHEMES.test(url);
}

/**
 * Parses `redis+cluster://[user:pass@]host:port[,host:port…]` (or `rediss+cluster://` for TLS;
 * IPv6 hosts in brackets): the seed nodes of a Redis Cluster.
 */
export function parseClusterUrl(url: string): { nodes: { host: string; port: number }[]; options: RedisOptions; display: string } {
  const tls = url.startsWith('rediss+');
  const rest = url.replace(CLUSTER_SCHEMES, '').replace(/\/.*$/, '');
  const { hosts, options, display } = splitUserinfo(url, rest);
  if (tls) options.tls = {};
  const nodes = parseHosts(hosts, 6379);
  if (nodes.length === 0 || nodes.some((n) => !Number.isInteger(n.port))) {
    throw new RedisUnavailableError(display, 'the URL names no cluster node (expected redis+cluster://host:port,host:port)');
  }
  return { nodes, options, display };
}

const SENTINEL_SCHEMES = /^rediss?\+sentinel:\/\//;

/** True for `redis+sentinel://` and `rediss+sentinel://` URLs. */
export function isSentinelUrl(url: string): boolean {
  return SENTINEL_SCHEMES.test(url);
}
const SENTINEL_COMMAND_TIMEOUT_MS = 5_000;

/**
 * Splits `user:pass@host:port,host:port` (the authority of a cluster or Sentinel URL) into the
 * hosts and the credentials, and masks the password in `url` for printing.
 */
function splitUserinfo(url: string, authority: string): { hosts: string; options: RedisOptions; display: string } {
  const at = authority.lastIndexOf('@');
  const options: RedisOptions = {};
  const display = maskPassword(url);
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user) options.username = decodeComponent(user, display);
    if (colon >= 0) options.password = decodeComponent(userinfo.slice(colon + 1), display);
  }
  return { hosts: at >= 0 ? authority.slice(at + 1) : authority, options, display };
}

/**
 * Parses `redis+sentinel://[user:pass@]host:port,host:port/<master name>[/<db>]` (with
 * `rediss+sentinel://` for TLS; `?sentinelUsername=…&sentinelPassword=…` when the Sentinels ask
 * for credentials of their own; `?db=` as another way to name the database; IPv6 hosts in
 * brackets): the Sentinels to ask for the master, and the master's credentials and database.
 *
 * @example
 * parseSentinelUrl('redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/mymaster/0');
 */
export function parseSentinelUrl(url: string): ParsedRedisUrl {
  const tls = url.startsWith('rediss+');
  const [withoutQuery, query = ''] = url.replace(SENTINEL_SCHEMES, '').split('?');
  const slash = withoutQuery.indexOf('/');
  const authority = slash < 0 ? withoutQuery : withoutQuery.slice(0, slash);
  const [master, db] = (slash < 0 ? '' : withoutQuery.slice(slash + 1)).split('/');
  const { options, display, hosts } = splitUserinfo(url, authority);
  const param = (name: string): string | undefined => {
    const pair = query.split('&').find((p) => p.startsWith(`${name}=`));
    return pair === undefined ? undefined : decodeComponent(pair.slice(name.length + 1), display);
  };
  const sentinelPassword = param('sentinelPassword');
  if (sentinelPassword !== undefined) options.sentinelPassword = sentinelPassword;
  const sentinelUsername = param('sentinelUsername');
  if (sentinelUsername !== undefined) options.sentinelUsername = sentinelUsername;
  options.sentinels = parseHosts(hosts, 26379);
  if (options.sentinels.length === 0 || options.sentinels.some((s) => !Number.isInteger(s.port))) {
    throw new RedisUnavailableError(display, 'the URL names no Sentinel (expected redis+sentinel://host:port,host:port/<master name>)');
  }
  if (!master) throw new RedisUnavailableError(display, 'the URL names no master (expected redis+sentinel://host:port/<master name>[/db])');
  options.name = decodeComponent(master, display);
  const dbParam = param('db') ?? db;
  if (dbParam) {
    options.db = Number(dbParam);
    if (!Number.isInteger(options.db)) throw new RedisUnavailableError(display, 'the database number is not an integer');
  }
  if (tls) {
    options.tls = {};
    options.enableTLSForSentinelMode = true;
    options.sentinelTLS = {};
  }
  // A Sentinel that takes the connection but never answers is given up on, for the next one.
  options.sentinelCommandTimeout = SENTINEL_COMMAND_TIMEOUT_MS;
  // Follow a failover at once: the Sentinels announce the new master (see FailoverWatch), and a
  // command that reaches the old one (now a replica) reconnects and is sent again.
  options.reconnectOnError = (err) => (err.message.startsWith('READONLY') ? 2 : false);
  return { options, display };
}

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
  const display = maskPassword(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(display, 'the URL is malformed (expected redis://host:port/db)');
  }
  const options: RedisOptions = {};
  if (parsed.username) options.username = decodeComponent(parsed.username, display);
  if (parsed.password) options.password = decodeComponent(parsed.password, display);
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
        `the scheme ${parsed.protocol}// is not supported (use redis://, rediss://, unix://, redis+cluster:// or redis+sentinel://)`,
      );
  }
  if (dbParam !== null) options.db = Number(dbParam);
  if (options.db !== undefined && !Number.isInteger(options.db)) {
    throw new RedisUnavailableError(display, 'the database number is not an integer');
  }
  return { options, display };
}

/** A percent-encoded part of the URL, decoded; a broken escape is a RedisUnavailableError naming the (masked) URL. */
function decodeComponent(part: string, display: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RedisUnavailableError(display, 'the URL has a broken %-escape (write % as %25)');
  }
}
