/**
 * Hears of failovers from the Sentinels of a `redis+sentinel://` URL, for every connection this
 * process makes through that URL: one subscription to `+switch-master` per Sentinel, shared,
 * instead of ioredis's failover detector, which opens one per connection, and which prints
 * "[ioredis] Unhandled error event" to stderr whenever a Sentinel is down.
 *
 * When the Sentinels announce a new master for the URL's master name, each connection is closed
 * and reconnects, asking the Sentinels again. A Sentinel that cannot be reached is logged once
 * per outage and tried again in the background; the others keep watching. The watch closes with
 * the last connection it serves.
 */
import Redis, { type RedisOptions } from 'ioredis';
import type { DocketLogger } from '../util/logger';

const CHANNEL = '+switch-master';
const MAX_RETRY_MS = 30_000;

const watches = new Map<string, FailoverWatch>();
/** The watch each connection is followed by, and the connections closed for good. */
const following = new WeakMap<Redis, FailoverWatch>();
const released = new WeakSet<Redis>();

/** ioredis's cursor over a Sentinel URL's Sentinels (not public API; checked before use). */
interface SentinelCursor {
  connector?: { sentinelIterator?: { reset?: (moveCurrentFirst: boolean) => void } };
}

export class FailoverWatch {
  private readonly clients = new Set<Redis>();
  private readonly sentinels: Redis[] = [];
  /** The last announcement acted on: every Sentinel sends the same one. */
  private lastSwitch = '';
  /** Where the last announcement put the master. */
  private master?: { host: string; port: number };
  /** Connections that were asking the Sentinels when it came: checked once they are ready. */
  private readonly unsure = new Set<Redis>();

  private constructor(
    private readonly key: string,
    private readonly options: RedisOptions,
    private readonly logger: DocketLogger,
  ) {}

  /**
   * Has `client` (made with `options`, a Sentinel URL's) reconnect when its master fails over,
   * from its first connect until it is closed ({@link FailoverWatch.release}).
   */
  static follow(key: string, client: Redis, options: RedisOptions, logger: DocketLogger): void {
    client.on('ready', () => {
      // The next reconnect asks first the Sentinel that just answered, as ioredis does only in
      // its own failover detector: otherwise every reconnect starts again at the URL's first
      // Sentinel, and waits out its timeout when that one is down.
      const cursor = (client as unknown as SentinelCursor).connector?.sentinelIterator;
      if (typeof cursor?.reset === 'function') cursor.reset(true);
      if (released.has(client)) return;
      let watch = following.get(client) ?? watches.get(key);
      if (!watch) watches.set(key, (watch = new FailoverWatch(key, options, logger)));
      following.set(client, watch);
      watch.add(client);
    });
    client.once('end', () => FailoverWatch.release(client));
  }

  /**
   * Stops following `client`, which is being closed: ioredis emits no 'end' for a connection
   * closed while it waits to reconnect. The watch closes with the last connection it follows.
   */
  static release(client: Redis): void {
    released.add(client);
    following.get(client)?.remove(client);
    following.delete(client);
  }

  private add(client: Redis): void {
    this.clients.add(client);
    if (this.sentinels.length === 0) for (const address of this.options.sentinels ?? []) this.watch(address.host ?? '127.0.0.1', address.port ?? 26379);
    // It was asking the Sentinels when the master moved: it may have been told the old one.
    if (this.unsure.delete(client) && this.master && !isConnectedTo(client, this.master)) client.disconnect(true);
  }

  private remove(client: Redis): void {
    this.unsure.delete(client);
    if (!this.clients.delete(client) || this.clients.size > 0) return;
    if (watches.get(this.key) === this) watches.delete(this.key);
    for (const sentinel of this.sentinels) sentinel.disconnect();
  }

  private watch(host: string, port: number): void {
    const address = `${host}:${port}`;
    let outage = 0;
    const sentinel = new Redis({
      host,
      port,
      username: this.options.sentinelUsername ?? undefined,
      password: this.options.sentinelPassword ?? undefined,
      tls: this.options.enableTLSForSentinelMode ? (this.options.sentinelTLS ?? {}) : undefined,
      connectionName: `docket:sentinel-watch:${process.pid}`,
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(500 * 2 ** Math.min(attempt, 6), MAX_RETRY_MS),
    });
    sentinel.on('error', (err: Error) => {
      if (outage++ > 0) return;
      const meanwhile = (this.options.sentinels?.length ?? 0) > 1 ? 'the other Sentinels tell of failovers meanwhile' : 'meanwhile a failover is noticed only once the old master stops taking writes';
      this.logger.warn(`Cannot reach the Sentinel at ${address} (${err.message}); trying again every ≤${MAX_RETRY_MS / 1000} s, and ${meanwhile}`);
    });
    sentinel.on('ready', () => {
      if (outage > 0) this.logger.log(`Reached the Sentinel at ${address} again`);
      outage = 0;
    });
    sentinel.on('message', (channel: string, message: string) => {
      // "<master name> <old ip> <old port> <new ip> <new port>"
      if (channel === CHANNEL && message.split(' ')[0] === this.options.name) this.switchOver(message);
    });
    // Subscribed again by ioredis after every reconnect.
    sentinel.subscribe(CHANNEL).catch(() => undefined);
    this.sentinels.push(sentinel);
  }

  private switchOver(message: string): void {
    if (message === this.lastSwitch) return;
    this.lastSwitch = message;
    const [name, , , host, port] = message.split(' ');
    this.master = { host, port: Number(port) };
    this.logger.log(`The Sentinels moved the master "${name}" to ${host}:${port}; reconnecting ${this.clients.size} connection(s)`);
    for (const client of this.clients) {
      // A connection asking the Sentinels right now must not be cut (ioredis would give it up
      // for good); it is checked once it is ready instead.
      if (client.status === 'ready' || client.status === 'connect') client.disconnect(true);
      else this.unsure.add(client);
    }
  }
}

function isConnectedTo(client: Redis, master: { host: string; port: number }): boolean {
  const socket = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return socket?.remotePort === master.port && socket.remoteAddress?.replace(/^::ffff:/, '') === master.host;
}
