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
import type { DocketLogger } from '../logger';

const CHANNEL = '+switch-master';
const MAX_RETRY_MS = 30_000;

const watches = new Map<string, FailoverWatch>();

export class FailoverWatch {
  private readonly clients = new Set<Redis>();
  private readonly sentinels: Redis[] = [];
  /** The last announcement acted on: every Sentinel sends the same one. */
  private lastSwitch = '';

  private constructor(
    private readonly key: string,
    private readonly options: RedisOptions,
    private readonly logger: DocketLogger,
  ) {}

  /**
   * Has `client` (made with `options`, a Sentinel URL's) reconnect when its master fails over,
   * from its first connect until it is closed for good.
   */
  static follow(key: string, client: Redis, options: RedisOptions, logger: DocketLogger): void {
    client.once('ready', () => {
      if (client.status === 'end') return;
      let watch = watches.get(key);
      if (!watch) watches.set(key, (watch = new FailoverWatch(key, options, logger)));
      watch.add(client);
      client.once('end', () => watch.remove(client));
    });
  }

  private add(client: Redis): void {
    this.clients.add(client);
    if (this.sentinels.length === 0) for (const address of this.options.sentinels ?? []) this.watch(address.host ?? '127.0.0.1', address.port ?? 26379);
  }

  private remove(client: Redis): void {
    if (!this.clients.delete(client) || this.clients.size > 0) return;
    watches.delete(this.key);
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
    this.logger.log(`The Sentinels moved the master "${name}" to ${host}:${port}; reconnecting ${this.clients.size} connection(s)`);
    for (const client of this.clients) client.disconnect(true);
  }
}
