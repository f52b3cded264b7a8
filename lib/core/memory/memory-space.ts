/**
 * One in-process data space behind `memory://` URLs: a keyspace of hashes, strings, sorted sets
 * and streams with millisecond expiry, and a publish/subscribe bus, shaped like the Redis
 * keyspace the Redis backend uses so that both stores name the same keys (DocketKeys).
 *
 * `memory://` gives each docket a space of its own, gone with it; `memory://NAME` is one space
 * for every docket of this process that uses the same URL, and it lives as long as the process,
 * as a Redis server outlives its clients: a docket closed and opened again finds its work.
 */
import { MemoryStream, SortedSet } from './memory-structures';

export type Hash = Map<string, string>;
type Value = Hash | SortedSet | MemoryStream | string;
type Handler = (message: string, channel: string) => void;

/** How often at most expired keys are looked for among all (they are also dropped when read). */
const SWEEP_EVERY_MS = 1_000;

/** Matches a PSUBSCRIBE glob (`*`, `?`) against a channel name. */
function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/**
 * Channels and patterns of one space. A message is handed to its listeners after the operation
 * that published it has returned (in a microtask, in publishing order), as Redis hands it over
 * on another connection: a listener never runs inside a store operation.
 */
export class MemoryBus {
  private readonly channels = new Map<string, Set<Handler>>();
  private readonly patterns = new Map<string, { test: RegExp; handlers: Set<Handler> }>();
  private queue: [Handler, string, string][] = [];

  /** True when a message on `channel` would reach anyone (the scripts' PUBSUB NUMSUB/NUMPAT). */
  listened(channel: string): boolean {
    if (this.channels.has(channel)) return true;
    for (const p of this.patterns.values()) if (p.test.test(channel)) return true;
    return false;
  }

  publish(channel: string, message: string): void {
    const wasIdle = this.queue.length === 0;
    for (const h of this.channels.get(channel) ?? []) this.queue.push([h, message, channel]);
    for (const p of this.patterns.values()) {
      if (p.test.test(channel)) for (const h of p.handlers) this.queue.push([h, message, channel]);
    }
    if (wasIdle && this.queue.length > 0) queueMicrotask(() => this.flush());
  }

  subscribe(channel: string, handler: Handler): () => void {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.channels.get(channel) === set) this.channels.delete(channel);
    };
  }

  psubscribe(pattern: string, handler: Handler): () => void {
    let entry = this.patterns.get(pattern);
    if (!entry) this.patterns.set(pattern, (entry = { test: globRegExp(pattern), handlers: new Set() }));
    const held = entry;
    held.handlers.add(handler);
    return () => {
      held.handlers.delete(handler);
      if (held.handlers.size === 0 && this.patterns.get(pattern) === held) this.patterns.delete(pattern);
    };
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    for (const [handler, message, channel] of queue) handler(message, channel);
  }
}

/** The keyspace and bus of one `memory://` URL. */
export class MemorySpace {
  readonly bus = new MemoryBus();
  private readonly values = new Map<string, Value>();
  private readonly expiries = new Map<string, number>();
  private lastSweep = 0;
  /** How far this space's clock is ahead of the wall clock (see {@link MemorySpace.advance}). */
  private offset = 0;

  /**
   * This space's clock (epoch ms): the wall clock, moved ahead by {@link MemorySpace.advance}.
   * Every decision of the memory store (what is due, leases, idle times, expiry) is taken on it.
   */
  now(): number {
    return Date.now() + this.offset;
  }

  /** Moves the clock `ms` ahead (never back): scheduled and retried work comes due as if that time had passed. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`A memory clock moves ahead by a number of ms ≥ 0, not ${ms}`);
    this.offset += ms;
  }

  /** The hash at `key`; created empty when `create` and absent. */
  hash(key: string, create: true): Hash;
  hash(key: string, create?: false): Hash | undefined;
  hash(key: string, create = false): Hash | undefined {
    return this.get(key, create, () => new Map<string, string>()) as Hash | undefined;
  }

  zset(key: string, create: true): SortedSet;
  zset(key: string, create?: false): SortedSet | undefined;
  zset(key: string, create = false): SortedSet | undefined {
    return this.get(key, create, () => new SortedSet()) as SortedSet | undefined;
  }

  stream(key: string): MemoryStream {
    return this.get(key, true, () => new MemoryStream(() => this.now())) as MemoryStream;
  }

  string(key: string): string | undefined {
    const v = this.get(key, false, () => '');
    return typeof v === 'string' ? v : undefined;
  }

  setString(key: string, value: string, ttlMs?: number): void {
    this.values.set(key, value);
    if (ttlMs === undefined) this.expiries.delete(key);
    else this.expiries.set(key, this.now() + ttlMs);
  }

  /** True when `key` holds a value; as in Redis, a hash or sorted set left empty is no key at all. */
  exists(key: string): boolean {
    const value = this.get(key, false, () => '');
    if (value === undefined) return false;
    return typeof value === 'string' || value instanceof MemoryStream || value.size > 0;
  }

  del(key: string): boolean {
    this.expiries.delete(key);
    return this.values.delete(key);
  }

  /** Makes `key` expire `ms` from now (PEXPIRE); false when there is no such key. */
  expire(key: string, ms: number): boolean {
    if (!this.exists(key)) return false;
    this.expiries.set(key, this.now() + ms);
    return true;
  }

  /** The milliseconds `key` has left: -1 without expiry, -2 when absent (PTTL). */
  ttl(key: string): number {
    if (!this.exists(key)) return -2;
    const at = this.expiries.get(key);
    return at === undefined ? -1 : Math.max(0, at - this.now());
  }

  /** Keys matching a glob, as KEYS does (for the CLI-free helpers that list what a space holds). */
  keys(pattern = '*'): string[] {
    const test = globRegExp(pattern);
    return [...this.values.keys()].filter((k) => this.exists(k) && test.test(k));
  }

  private get(key: string, create: boolean, make: () => Value): Value | undefined {
    this.sweepSometimes();
    const at = this.expiries.get(key);
    if (at !== undefined && at <= this.now()) this.del(key);
    let value = this.values.get(key);
    if (value === undefined && create) {
      value = make();
      this.values.set(key, value);
    }
    return value;
  }

  /** Drops expired keys, at most once a second, so that a record nobody reads again still goes. */
  private sweepSometimes(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, at] of this.expiries) if (at <= now) this.del(key);
  }
}

const shared = new Map<string, MemorySpace>();

/** The NAME of `memory://NAME` ('' for `memory://`). */
const nameOf = (url: string): string => url.replace(/^memory:\/\//i, '');

/** True for a `memory://` URL. */
export function isMemoryUrl(url: string): boolean {
  return /^memory:\/\//i.test(url);
}

/** The shared space of `memory://NAME`, made on first use (`memory://` alone is made by its backend). */
export function sharedSpace(url: string): MemorySpace {
  const name = nameOf(url);
  let space = shared.get(name);
  if (!space) shared.set(name, (space = new MemorySpace()));
  return space;
}

/** The space of `memory://NAME` if one was opened, without taking a use of it (for tests' inspection). */
export function memorySpaceOf(url: string): MemorySpace | undefined {
  return shared.get(nameOf(url));
}

/** Forgets the space of `memory://NAME` and all it holds (a testing module's, when its app closes). */
export function forgetSpace(url: string): void {
  shared.delete(nameOf(url));
}
