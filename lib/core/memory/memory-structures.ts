/**
 * The data structures of the in-process backend: a sorted set and a stream with one consumer
 * group, each with the ordering Redis gives the structure of the same name, so that the memory
 * store keeps the Redis store's contract (see memory-worker-store.ts).
 */

/** Orders by score, then by member, as a Redis sorted set does. */
function compare(a: readonly [string, number], b: readonly [string, number]): number {
  return a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** A sorted set: members with scores, kept in order (binary insertion; fine to ~10⁵ members). */
export class SortedSet {
  private readonly scores = new Map<string, number>();
  private readonly order: [string, number][] = [];

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds or moves `member`; with `onlyNew`, an existing member keeps its score (NX). True when it was new. */
  add(member: string, score: number, onlyNew = false): boolean {
    const old = this.scores.get(member);
    if (old !== undefined && (onlyNew || old === score)) return false;
    if (old !== undefined) this.order.splice(this.indexOf(member, old), 1);
    this.scores.set(member, score);
    const entry: [string, number] = [member, score];
    this.order.splice(this.insertionPoint(entry), 0, entry);
    return old === undefined;
  }

  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.order.splice(this.indexOf(member, old), 1);
    this.scores.delete(member);
    return true;
  }

  /** Members with `min ≤ score ≤ max`, lowest first, at most `limit`. */
  range(min: number, max: number, limit = Infinity): [string, number][] {
    const out: [string, number][] = [];
    for (let i = this.insertionPoint(['', min]); i < this.order.length && out.length < limit; i++) {
      if (this.order[i][1] > max) break;
      if (this.order[i][1] >= min) out.push(this.order[i]);
    }
    return out;
  }

  count(min: number, max: number): number {
    return this.range(min, max).length;
  }

  /** The first `n` members, lowest score first. */
  head(n: number): [string, number][] {
    return this.order.slice(0, n);
  }

  removeRange(min: number, max: number): number {
    const gone = this.range(min, max);
    for (const [member] of gone) this.remove(member);
    return gone.length;
  }

  private indexOf(member: string, score: number): number {
    return this.insertionPoint([member, score]);
  }

  private insertionPoint(entry: readonly [string, number]): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.order[mid], entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The fields of a stream entry of the docket: the execution's key and the run's generation. */
export interface StreamFields {
  key: string;
  gen: string;
}

/** Decides, for a test, which entries may be delivered: `holds` asks, `delivered` is told of each delivery. */
export interface StreamGate {
  holds(fields: StreamFields): boolean;
  delivered(fields: StreamFields): void;
}

interface PendingEntry {
  consumer: string;
  /** When it was last delivered or claimed (epoch ms): its idle time starts there. */
  since: number;
}

/** `a` < `b` for stream ids `ms-seq`. */
export function idBefore(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

/**
 * A stream read through one consumer group: entries in id order, the ones not yet delivered,
 * and the pending entries list (delivered, not acknowledged) with each one's consumer and idle
 * start. As in Redis, deleting an entry leaves it pending until it is acknowledged.
 */
export class MemoryStream {
  readonly entries = new Map<string, StreamFields>();
  readonly pending = new Map<string, PendingEntry>();
  private undelivered: string[] = [];
  private head = 0;
  private lastMs = 0;
  private lastSeq = 0;
  /** Wakes whoever waits for new entries. */
  private waiters = new Set<() => void>();

  /** A test's hold on some entries (see MemoryBackend.limitRuns): held ones are not delivered. */
  gate?: StreamGate;

  /** @param clock the space's clock, which new entry ids are made from */
  constructor(private readonly clock: () => number = Date.now) {}

  get length(): number {
    return this.entries.size;
  }

  /** Appends an entry under a new id from the clock (XADD *) and wakes the waiters. */
  add(fields: StreamFields): string {
    const now = this.clock();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else this.lastSeq++;
    const id = `${this.lastMs}-${this.lastSeq}`;
    this.entries.set(id, fields);
    this.undelivered.push(id);
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
    return id;
  }

  delete(id: string): boolean {
    return this.entries.delete(id);
  }

  ack(id: string): boolean {
    return this.pending.delete(id);
  }

  /**
   * Delivers up to `count` entries nobody was given yet to `consumer` (XREADGROUP >). Entries the
   * {@link MemoryStream.gate} holds stay undelivered, in their place.
   */
  readNew(consumer: string, count: number, now: number): [string, StreamFields][] {
    const out: [string, StreamFields][] = [];
    const held: string[] = [];
    while (out.length < count && this.head < this.undelivered.length) {
      const id = this.undelivered[this.head++];
      const fields = this.entries.get(id);
      if (!fields) continue;
      if (this.gate?.holds(fields)) {
        held.push(id);
        continue;
      }
      this.gate?.delivered(fields);
      this.pending.set(id, { consumer, since: now });
      out.push([id, fields]);
    }
    if (held.length > 0) this.undelivered.splice(this.head, 0, ...held);
    if (this.head > 1024 && this.head * 2 > this.undelivered.length) {
      this.undelivered = this.undelivered.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** The first entry never delivered that the gate does not hold, if any. */
  firstUndelivered(): string | undefined {
    for (let i = this.head; i < this.undelivered.length; i++) {
      const fields = this.entries.get(this.undelivered[i]);
      if (fields && !this.gate?.holds(fields)) return this.undelivered[i];
    }
    return undefined;
  }

  /** How many entries the gate holds back. */
  heldCount(): number {
    const gate = this.gate;
    if (!gate) return 0;
    let n = 0;
    for (let i = this.head; i < this.undelivered.length; i++) {
      const fields = this.entries.get(this.undelivered[i]);
      if (fields && gate.holds(fields)) n++;
    }
    return n;
  }

  /** The pending entries of `consumer`, oldest id first (fields null for a deleted entry), as XREADGROUP 0. */
  pendingOf(consumer: string, count: number): [string, StreamFields | null][] {
    return [...this.pending.entries()]
      .filter(([, p]) => p.consumer === consumer)
      .map(([id]) => id)
      .sort((a, b) => (idBefore(a, b) ? -1 : 1))
      .slice(0, count)
      .map((id) => [id, this.entries.get(id) ?? null]);
  }

  /**
   * Takes over up to `count` pending entries idle at least `minIdleMs` (XAUTOCLAIM): they move to
   * `consumer` with their idle time reset. Pending entries whose entry was deleted are dropped.
   */
  autoClaim(consumer: string, minIdleMs: number, count: number, now: number): [string, StreamFields][] {
    const out: [string, StreamFields][] = [];
    for (const [id, p] of [...this.pending.entries()].sort(([a], [b]) => (idBefore(a, b) ? -1 : 1))) {
      if (out.length >= count) break;
      if (now - p.since < minIdleMs) continue;
      const fields = this.entries.get(id);
      if (!fields) {
        this.pending.delete(id);
        continue;
      }
      this.pending.set(id, { consumer, since: now });
      out.push([id, fields]);
    }
    return out;
  }

  /** Resets the idle time of `ids` and gives them to `consumer` (XCLAIM … IDLE 0). */
  touch(consumer: string, ids: readonly string[], now: number): void {
    for (const id of ids) if (this.pending.has(id)) this.pending.set(id, { consumer, since: now });
  }

  /** Resolves when an entry is added, or at once when one is waiting; the returned function stops the wait. */
  whenAdded(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  /** True when an entry is waiting for delivery. */
  hasUndelivered(): boolean {
    return this.firstUndelivered() !== undefined;
  }
}
