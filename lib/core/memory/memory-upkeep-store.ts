/**
 * The memory worker store's upkeep: concurrency places, putting a run back for a worker that has
 * its task, moving due work, leases, the redelivery sweep and heartbeats (the twins of the
 * acquire, leave and stream-due scripts and of redis/upkeep-store.ts).
 */
import { rateLimitWait } from '../execution/waiting-for';
import { ExecutionState } from '../execution/execution-state.enum';
import type { ClaimedRun, Delivery, Place, PlaceAnswer, RateAnswer, RateRule, WorkerInfo } from '../store';
import { MemoryDocketStore, num } from './memory-docket-store';
import type { StreamFields } from './memory-structures';

export abstract class MemoryUpkeepStore extends MemoryDocketStore {
  acquire(run: ClaimedRun, place: Place, _now: number, leaseMs: number): Promise<PlaceAnswer> {
    const now = this.space.now();
    const { name, size } = place;
    const r = this.space.hash(this.keys.runs(run.key));
    const get = (field: string): string | undefined => r?.get(field);
    if (get('gen') === run.generation && get('state') === ExecutionState.SCHEDULED && get('parked') === name && !get('msg')) return Promise.resolve('parked');
    const stale = !r || get('gen') !== run.generation || get('state') !== ExecutionState.RUNNING || get('msg') !== run.id || !Number.isFinite(Number(get('seq')));
    if (stale || get('cancel') === '1') {
      this.wakeWaiters(name, this.freePlaces(name, size, now), now);
      return Promise.resolve(stale ? 'replaced' : 'cancelled');
    }
    const slots = this.space.zset(this.keys.slots(name), true);
    if (slots.score(run.id) !== undefined || this.freePlaces(name, size, now) > 0) {
      slots.add(run.id, now + leaseMs);
      this.extend(this.keys.slots(name), leaseMs);
      if (r.has('parked')) {
        r.delete('parked');
        r.delete('psize');
        this.space.zset(this.keys.waiting(name))?.remove(run.key);
      }
      return Promise.resolve('acquired');
    }
    const seq = String(Number(get('seq')) + 1);
    const at = now + Math.min(leaseMs, 60_000);
    this.space.zset(this.keys.queue, true).add(run.key, at);
    this.space.zset(this.keys.waiting(name), true).add(run.key, now, true);
    this.extend(this.keys.waiting(name), leaseMs * 2);
    r.set('state', ExecutionState.SCHEDULED).set('when', String(at)).set('seq', seq).set('sseq', seq).set('parked', name).set('psize', String(size));
    for (const field of ['msg', 'worker', 'started']) r.delete(field);
    this.dropMessage(run.id);
    this.publishState(run.key, Number(seq), ExecutionState.SCHEDULED, { when: at, waitingFor: name });
    return Promise.resolve('parked');
  }

  /** The rate script's twin: a sliding window of admitted message ids by time. */
  admitRate(run: ClaimedRun, rule: RateRule, _now: number, ttlMs: number): Promise<RateAnswer> {
    const now = this.space.now();
    const r = this.space.hash(this.keys.runs(run.key));
    const seq = Number(r?.get('seq')) + 1;
    if (!r || r.get('gen') !== run.generation || r.get('state') !== ExecutionState.RUNNING || r.get('msg') !== run.id || !Number.isFinite(seq)) {
      this.dropMessage(run.id);
      return Promise.resolve('replaced');
    }
    const windowKey = this.keys.rate(rule.group);
    const window = this.space.zset(windowKey, true);
    window.removeRange(-Infinity, now - rule.per);
    if (window.size < rule.limit) {
      window.add(run.id, now);
      this.space.expire(windowKey, rule.per * 2);
      return Promise.resolve('admitted');
    }
    this.dropMessage(run.id);
    for (const field of ['msg', 'worker', 'started']) r.delete(field);
    if (rule.drop) {
      r.set('state', ExecutionState.CANCELLED).set('completed', String(now)).set('seq', String(seq)).set('sseq', String(seq));
      this.publishState(run.key, seq, ExecutionState.CANCELLED, { completedAt: now, gen: Number(run.generation) }, r.get('reply'));
      this.finishRecord(run.key, ttlMs);
      return Promise.resolve('dropped');
    }
    const at = Math.max(now + 1, (window.head(1)[0]?.[1] ?? now) + rule.per);
    const waits = rateLimitWait(rule.group);
    this.space.zset(this.keys.queue, true).add(run.key, at);
    r.set('state', ExecutionState.SCHEDULED).set('when', String(at)).set('seq', String(seq)).set('sseq', String(seq)).set('waits', waits);
    this.publishState(run.key, seq, ExecutionState.SCHEDULED, { when: at, waitingFor: waits });
    return Promise.resolve('later');
  }

  returnRate(run: ClaimedRun, group: string): Promise<void> {
    this.space.zset(this.keys.rate(group))?.remove(run.id);
    return Promise.resolve();
  }

  leave(run: ClaimedRun, at: number, since: number | undefined, _now: number, waitingFor: string): Promise<'left' | 'replaced' | 'cancelled'> {
    const r = this.space.hash(this.keys.runs(run.key));
    const seq = Number(r?.get('seq')) + 1;
    if (!r || r.get('gen') !== run.generation || r.get('state') !== ExecutionState.RUNNING || r.get('msg') !== run.id || !Number.isFinite(seq)) return Promise.resolve('replaced');
    if (r.get('cancel') === '1') return Promise.resolve('cancelled');
    r.set('state', ExecutionState.SCHEDULED).set('when', String(at)).set('seq', String(seq)).set('sseq', String(seq));
    r.set('unknown', String((num(r.get('unknown')) ?? 0) + 1)).set('waits', waitingFor);
    if (since === undefined) r.delete('usince');
    else r.set('usince', String(since));
    for (const field of ['msg', 'worker', 'started']) r.delete(field);
    this.space.zset(this.keys.queue, true).add(run.key, at);
    this.dropMessage(run.id);
    this.publishState(run.key, seq, ExecutionState.SCHEDULED, { when: at, waitingFor });
    return Promise.resolve('left');
  }

  streamDue(_now: number, limit: number): Promise<number> {
    const now = this.space.now();
    const queue = this.space.zset(this.keys.queue);
    const due = queue?.range(-Infinity, now, limit) ?? [];
    for (const [key] of due) {
      queue?.remove(key);
      const r = this.space.hash(this.keys.runs(key));
      if (r?.get('state') !== ExecutionState.SCHEDULED) continue;
      const seq = Number(r.get('seq')) + 1;
      r.set('state', ExecutionState.QUEUED).set('msg', this.space.stream(this.keys.stream).add({ key, gen: r.get('gen') ?? '0' }));
      r.set('seq', String(seq)).set('sseq', String(seq));
      this.publishState(key, seq, ExecutionState.QUEUED, { when: num(r.get('when')) });
    }
    return Promise.resolve(due.length);
  }

  renewLeases(consumer: string, ids: readonly string[], places: readonly { id: string; place: Place }[], leaseMs: number): Promise<void> {
    const now = this.space.now();
    this.space.stream(this.keys.stream).touch(consumer, ids, now);
    for (const { id, place } of places) {
      const slots = this.space.zset(this.keys.slots(place.name));
      if (slots?.score(id) !== undefined) slots.add(id, now + leaseMs);
      const left = this.space.ttl(this.keys.slots(place.name));
      if (left >= 0 && left < leaseMs) this.space.expire(this.keys.slots(place.name), leaseMs);
    }
    return Promise.resolve();
  }

  /** Takes over messages idle longer than `minIdleMs` (one process: no lease is needed to sweep alone). */
  sweep(consumer: string, minIdleMs: number, count: number): Promise<Delivery[]> {
    const taken = this.space.stream(this.keys.stream).autoClaim(consumer, minIdleMs, count, this.space.now());
    return Promise.resolve(taken.map(([id, f]) => deliveryOf(id, f)));
  }

  heartbeat(info: WorkerInfo, ttlMs: number): Promise<void> {
    const now = info.lastSeen.getTime();
    const workers = this.space.zset(this.keys.workers, true);
    workers.removeRange(-Infinity, now - ttlMs);
    workers.add(info.name, now);
    this.space.setString(this.keys.worker(info.name), JSON.stringify({ tasks: info.tasks, concurrency: info.concurrency }), ttlMs);
    return Promise.resolve();
  }

  removeWorker(name: string): Promise<void> {
    this.space.zset(this.keys.workers)?.remove(name);
    this.space.del(this.keys.worker(name));
    return Promise.resolve();
  }

  /** A memory space never disconnects. */
  onReconnect(): void {}

  isMissingGroup(): boolean {
    return false;
  }

  isInterrupted(): boolean {
    return false;
  }

  isTransient(): boolean {
    return false;
  }

  /** Makes `key` live at least `ms` more (extend). */
  private extend(key: string, ms: number): void {
    if (this.space.ttl(key) < ms) this.space.expire(key, ms);
  }
}

/** A stream entry as a delivery that was made before (a redelivery). */
export function deliveryOf(id: string, f: StreamFields): Delivery {
  return { id, key: f.key, generation: f.gen, redelivered: true };
}
