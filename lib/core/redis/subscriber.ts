/**
 * The store port's subscriber hub on Redis: the process-wide pub/sub connection, one per Redis
 * URL, shared by every Observable, the workers' cancellation listeners and the dashboards'
 * pattern subscriptions. Channels are reference-counted: the first listener SUBSCRIBEs, the last
 * one UNSUBSCRIBEs. After a reconnect every channel is subscribed again and only then are
 * listeners told to resync, so that a snapshot they re-read cannot miss an event.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Listener, SubscriberHub } from '../store';
import type { DocketLogger } from '../util/logger';
import { excerpt, RateLimitedLog } from '../util/rate-limited-log';
import { closeConnection, connectionKey, createConnection, type RedisClient } from './connection';

/**
 * A subscribed channel or pattern. Lean on purpose: a process may watch tens of thousands of
 * executions, one channel each (docs/performance.md, "Many watchers").
 */
interface Topic {
  /** Its listeners, nearly always one: an array costs less than a Set of one. */
  readonly listeners: Listener[];
  /** Until Redis has confirmed the subscription; then dropped. */
  ready?: Promise<unknown>;
}

/** Dockets given one TLS options object share a hub; other options get their own connection. */
const hubs = new Map<string, RedisSubscriberHub>();

export class RedisSubscriberHub implements SubscriberHub {
  private readonly client: RedisClient;
  private readonly channels = new Map<string, Topic>();
  private readonly patterns = new Map<string, Topic>();
  private users = 0;
  private everReady = false;
  /** Settled while every topic is subscribed on a live connection; pending from a close until resubscribed. */
  private live: Promise<void> = Promise.resolve();
  private markLive?: () => void;
  private readonly dropped: RateLimitedLog;

  private constructor(
    private readonly key: string,
    url: string,
    logger: DocketLogger,
    tls: ConnectionOptions | undefined,
  ) {
    this.client = createConnection(url, 'subscriber', logger, tls);
    this.dropped = new RateLimitedLog(logger);
    this.client.on('message', (channel: string, message: string) => {
      this.dispatch(this.channels.get(channel), message, channel);
    });
    this.client.on('pmessage', (pattern: string, channel: string, message: string) => {
      this.dispatch(this.patterns.get(pattern), message, channel);
    });
    this.client.on('close', () => {
      if (!this.markLive) this.live = new Promise<void>((resolve) => (this.markLive = resolve));
    });
    this.client.on('ready', () => {
      if (!this.everReady) {
        this.everReady = true;
        this.settleLive();
        return;
      }
      void this.resubscribe();
    });
  }

  /** The hub for `url` (and `tls`), created on first use; release it with {@link RedisSubscriberHub.release}. */
  static acquire(url: string, logger: DocketLogger, tls?: ConnectionOptions): RedisSubscriberHub {
    const key = connectionKey(url, tls);
    let hub = hubs.get(key);
    if (!hub) {
      hub = new RedisSubscriberHub(key, url, logger, tls);
      hubs.set(key, hub);
    }
    hub.users++;
    return hub;
  }

  /** The Redis connection status of the hub's client. */
  get status(): string {
    return this.client.status;
  }

  /** Gives up one use; the connection closes with the last one. */
  async release(): Promise<void> {
    if (--this.users > 0) return;
    hubs.delete(this.key);
    if (this.client.status === 'wait') return;
    await closeConnection(this.client);
  }

  /** Listens on `channel`; resolves once Redis has acknowledged the subscription. */
  listen(channel: string, listener: Listener): Promise<() => void> {
    return this.add(this.channels, channel, listener, false);
  }

  /** Listens on every channel matching `pattern` (PSUBSCRIBE). */
  listenPattern(pattern: string, listener: Listener): Promise<() => void> {
    return this.add(this.patterns, pattern, listener, true);
  }

  private async add(
    topics: Map<string, Topic>,
    name: string,
    listener: Listener,
    pattern: boolean,
  ): Promise<() => void> {
    let topic = topics.get(name);
    if (!topic) {
      // Made with its first listener: an empty array's first push reserves room for 17.
      const ready = pattern ? this.client.psubscribe(name) : this.client.subscribe(name);
      const created: Topic = { listeners: [listener], ready };
      ready.then(
        () => {
          if (created.ready === ready) created.ready = undefined;
        },
        () => undefined,
      );
      topics.set(name, created);
      topic = created;
    }
    if (!topic.listeners.includes(listener)) topic.listeners.push(listener);
    const current = topic;
    try {
      if (current.ready) await current.ready;
      // A topic subscribed before a reconnect is live again only once resubscribed.
      await this.live;
    } catch (err) {
      this.remove(topics, name, listener, pattern);
      throw err;
    }
    return () => this.remove(topics, name, listener, pattern);
  }

  private remove(topics: Map<string, Topic>, name: string, listener: Listener, pattern: boolean): void {
    const topic = topics.get(name);
    const at = topic ? topic.listeners.indexOf(listener) : -1;
    if (!topic || at < 0) return;
    topic.listeners.splice(at, 1);
    if (topic.listeners.length > 0) return;
    topics.delete(name);
    if (this.client.status !== 'ready') return;
    const done = pattern ? this.client.punsubscribe(name) : this.client.unsubscribe(name);
    done.catch(() => undefined);
  }

  /**
   * Hands a message to each listener. A listener that cannot use it (garbage published on one of
   * our channels) throws; the message is dropped for that listener with a log line, and the others
   * still get it. Nothing a listener throws reaches ioredis, which would rethrow it as uncaught.
   */
  private dispatch(topic: Topic | undefined, message: string, channel: string): void {
    if (!topic) return;
    // A copy when there are several: a listener may stop listening while it is told.
    const listeners = topic.listeners.length === 1 ? topic.listeners : [...topic.listeners];
    for (const listener of listeners) {
      try {
        listener.onMessage(message, channel);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.dropped.warn('dropped', `Dropped ${excerpt(message)} heard on ${channel}: ${why}`);
      }
    }
  }

  private async resubscribe(): Promise<void> {
    try {
      const channels = [...this.channels.keys()];
      const patterns = [...this.patterns.keys()];
      if (channels.length) await this.client.subscribe(...channels);
      if (patterns.length) await this.client.psubscribe(...patterns);
    } catch {
      return; // the next 'ready' tries again
    }
    this.settleLive();
    for (const topics of [this.channels, this.patterns]) {
      for (const topic of [...topics.values()]) for (const l of [...topic.listeners]) l.onResync?.();
    }
  }

  private settleLive(): void {
    const mark = this.markLive;
    this.markLive = undefined;
    mark?.();
  }
}
