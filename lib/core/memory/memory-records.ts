/**
 * What every memory store operation shares, as the Lua prelude is shared by the scripts
 * (redis/scripts/script.ts): state events, the end of a record's life, dropping a stream message,
 * and the places of concurrency limits.
 */
import { ExecutionState } from '../execution/execution-state.enum';
import type { DocketKeys } from '../store';
import type { DocketLogger } from '../util/logger';
import type { Hash, MemorySpace } from './memory-space';

export abstract class MemoryRecords {
  constructor(
    readonly keys: DocketKeys,
    protected readonly space: MemorySpace,
    protected readonly logger: DocketLogger,
  ) {}

  /** The quarantine: item id → the item as JSON, oldest first. */
  protected quarantine(): Hash {
    return this.space.hash(this.keys.quarantine, true);
  }

  /** Publishes a state event on the execution's channel (when anyone listens) and on `reply`, as publish_state does. */
  protected publishState(key: string, seq: number, state: string, extra: Record<string, unknown>, reply?: string): void {
    const channel = this.keys.events(key);
    if (!reply && !this.space.bus.listened(channel)) return;
    const message = JSON.stringify({ ...extra, type: 'state', key, seq, state });
    this.space.bus.publish(channel, message);
    if (reply) this.space.bus.publish(reply, message);
  }

  /** A finished record lives `ttlMs` more, or goes now. */
  protected finishRecord(key: string, ttlMs: number): void {
    if (ttlMs > 0) this.space.expire(this.keys.runs(key), ttlMs);
    else this.space.del(this.keys.runs(key));
  }

  protected dropMessage(id: string): void {
    const stream = this.space.stream(this.keys.stream);
    stream.ack(id);
    stream.delete(id);
  }

  /** Drops the lapsed places of a limit and says how many are free (free_places). */
  protected freePlaces(limit: string, size: number, now: number): number {
    const slots = this.space.zset(this.keys.slots(limit), true);
    slots.removeRange(-Infinity, now);
    return size - slots.size;
  }

  /** Queues up to `free` runs parked for `limit`, oldest first (wake_waiters). */
  protected wakeWaiters(limit: string, free: number, now: number): void {
    const waiting = this.space.zset(this.keys.waiting(limit));
    while (waiting && free > 0) {
      const head = waiting.head(1)[0]?.[0];
      if (head === undefined) break;
      waiting.remove(head);
      const w = this.space.hash(this.keys.runs(head));
      const seq = Number(w?.get('seq'));
      if (!w || w.get('state') !== ExecutionState.SCHEDULED || w.get('parked') !== limit || !Number.isFinite(seq)) continue;
      this.space.zset(this.keys.queue)?.remove(head);
      const id = this.space.stream(this.keys.stream).add({ key: head, gen: w.get('gen') ?? '0' });
      w.set('state', ExecutionState.QUEUED).set('when', String(now)).set('seq', String(seq + 1)).set('sseq', String(seq + 1)).set('msg', id);
      this.publishState(head, seq + 1, ExecutionState.QUEUED, { when: now });
      free--;
    }
  }

  /** A run woken for a place that leaves without starting hands the wake on (pass_wake). */
  protected passWake(limit: string | undefined, size: string | undefined, now: number): void {
    if (!limit || !size) return;
    const held = this.space.zset(this.keys.slots(limit))?.count(now, Infinity) ?? 0;
    this.wakeWaiters(limit, Number(size) - held, now);
  }
}
