/**
 * The worker's side of the memory backend: claims, outcomes, progress, concurrency places,
 * putting runs back, moving due work, leases, the redelivery sweep and heartbeats, each the
 * TypeScript twin of the Redis script or command of the same name (redis/worker-store.ts,
 * redis/upkeep-store.ts, redis/scripts/).
 */
import { ExecutionState } from '../execution/execution-state.enum';
import { POISONED_SEQ } from '../store/record-hash';
import type { ClaimedRun, Completion, Delivery, Fetched, Place, PlaceAnswer, WorkerInfo, WorkerStore } from '../store';
import { MemoryDocketStore, num } from './memory-docket-store';
import type { StreamFields } from './memory-structures';

/** Outcomes and failures up to this size ride along in the terminal event (as in the complete script). */
const CARRIED_BYTES = 65_536;

export class MemoryWorkerStore extends MemoryDocketStore implements WorkerStore {
  ensureGroup(): Promise<void> {
    this.space.stream(this.keys.stream);
    return Promise.resolve();
  }

  claim(deliveries: readonly Delivery[], worker: string, _now: number, ttlMs: number): Promise<ClaimedRun[]> {
    const now = this.space.now();
    const runs = deliveries.map((d) => this.claimOne(worker, now, ttlMs, d.id, d.key, d.generation, d.redelivered));
    return Promise.resolve(runs.filter((r): r is ClaimedRun => r !== undefined));
  }

  claimNext(worker: string, count: number, _now: number, ttlMs: number): Promise<Fetched> {
    const now = this.space.now();
    return Promise.resolve(this.claimNextNow(worker, count, now, ttlMs));
  }

  /** Reads up to `count` new messages for `worker` and claims them (the claim-next script). */
  claimNextNow(worker: string, count: number, _now: number, ttlMs: number): Fetched {
    const now = this.space.now();
    const read = this.space.stream(this.keys.stream).readNew(worker, count, now);
    const runs = read.map(([id, f]) => this.claimOne(worker, now, ttlMs, id, f.key, f.gen, false));
    return { runs: runs.filter((r): r is ClaimedRun => r !== undefined), read: read.length, lastId: read.at(-1)?.[0] };
  }

  /** One delivered message: RUNNING and its run, or (cancelled, replaced, already run) acknowledged and dropped. */
  private claimOne(worker: string, now: number, ttlMs: number, id: string, key: string, gen: string, redelivered: boolean): ClaimedRun | undefined {
    const r = this.space.hash(this.keys.runs(key));
    const state = r?.get('state');
    let runnable = !!r && r.get('gen') === gen && r.get('msg') === id && (state === ExecutionState.QUEUED || (state === ExecutionState.RUNNING && (redelivered || r.get('worker') === worker)));
    if (r && runnable && r.get('cancel') === '1') {
      const seq = Number(r.get('seq')) + 1;
      r.set('state', ExecutionState.CANCELLED).set('completed', String(now)).set('seq', String(seq)).set('sseq', String(seq));
      r.delete('msg');
      r.delete('cancel');
      this.publishState(key, seq, ExecutionState.CANCELLED, { completedAt: now, gen: Number(gen) }, r.get('reply'));
      this.finishRecord(key, ttlMs);
      runnable = false;
    }
    if (!r || !runnable) {
      this.dropMessage(id);
      return undefined;
    }
    const seq = Number(r.get('seq')) + 1;
    const attempt = Number(r.get('attempt') ?? '1');
    r.set('state', ExecutionState.RUNNING).set('worker', worker).set('started', String(now)).set('seq', String(seq)).set('sseq', String(seq));
    this.publishState(key, seq, ExecutionState.RUNNING, { worker, startedAt: now, attempt });
    return { id, key, generation: gen, redelivered, task: r.get('fn') ?? '', args: r.get('args') ?? '', attempt, when: Number(r.get('when')), cancelRequested: false, trace: r.get('tc') ?? '' };
  }

  ownPending(worker: string, count: number): Promise<Delivery[]> {
    const pending = this.space.stream(this.keys.stream).pendingOf(worker, count);
    return Promise.resolve(pending.flatMap(([id, f]) => (f ? [deliveryOf(id, f)] : [])));
  }

  complete(batch: readonly Completion[], _now: number, ttlMs: number): Promise<string[]> {
    const now = this.space.now();
    return Promise.resolve(batch.map((c) => this.completeOne(c, now, ttlMs)));
  }

  private completeOne(c: Completion, now: number, ttlMs: number): string {
    if (c.place) {
      this.space.zset(this.keys.slots(c.place.name))?.remove(c.messageId);
      this.wakeWaiters(c.place.name, this.freePlaces(c.place.name, c.place.size, now), now);
    }
    const r = this.space.hash(this.keys.runs(c.key));
    let answer = 'superseded';
    if (r && r.get('gen') === c.generation && r.get('state') === ExecutionState.RUNNING && r.get('msg') === c.messageId) {
      const outcome = r.get('cancel') === '1' ? ExecutionState.CANCELLED : c.outcome;
      const seq = String(Number(r.get('seq')) + 1);
      r.delete('cancel');
      const attempt = Number(r.get('attempt')) || 1;
      if (outcome === ExecutionState.FAILED && c.retryAt !== undefined) {
        const at = c.retryAt;
        const state = at <= now ? ExecutionState.QUEUED : ExecutionState.SCHEDULED;
        if (state === ExecutionState.QUEUED) r.set('msg', this.space.stream(this.keys.stream).add({ key: c.key, gen: c.generation }));
        else {
          this.space.zset(this.keys.queue, true).add(c.key, at);
          r.delete('msg');
        }
        r.set('state', state).set('when', String(at)).set('attempt', String(attempt + 1)).set('seq', seq).set('sseq', seq);
        r.set('error', c.errorSummary).set('failure', c.failure);
        r.delete('worker');
        r.delete('started');
        this.publishState(c.key, Number(seq), state, { when: at, error: c.errorSummary, attempt: attempt + 1 });
        answer = state;
      } else {
        const extra: Record<string, unknown> = { completedAt: now, worker: r.get('worker'), startedAt: num(r.get('started')), gen: Number(c.generation), attempt };
        if (outcome === ExecutionState.COMPLETED && attempt > 1) {
          r.delete('error');
          r.delete('failure');
        }
        let carried: number | undefined = 1;
        r.set('state', outcome).set('completed', String(now)).set('seq', seq).set('sseq', seq);
        if (outcome === ExecutionState.COMPLETED && c.result !== '') {
          r.set('result', c.result);
          if (c.result.length <= CARRIED_BYTES) extra.result = c.result;
          else carried = undefined;
        } else if (outcome === ExecutionState.FAILED) {
          r.set('error', c.errorSummary).set('failure', c.failure);
          extra.error = c.errorSummary;
          if (c.failure.length <= CARRIED_BYTES) extra.failure = c.failure;
          else carried = undefined;
        }
        extra.carried = carried;
        this.publishState(c.key, Number(seq), outcome, extra, r.get('reply'));
        this.finishRecord(c.key, ttlMs);
        answer = outcome;
      }
    }
    this.dropMessage(c.messageId);
    return answer;
  }

  /** Never: nothing in memory refuses an outcome that Redis would (a value over its size limits). */
  isRefused(): boolean {
    return false;
  }

  async quarantineOutcome(c: Completion, reason: string, _now: number, ttlMs: number): Promise<void> {
    const now = this.space.now();
    const id = `${now}-${this.quarantine().size}`;
    const raw = JSON.stringify({ outcome: c.outcome, error: c.errorSummary.slice(0, 1_000), resultBytes: c.result.length, failureBytes: c.failure.length });
    this.quarantine().set(id, JSON.stringify({ id, what: 'outcome', reason, key: c.key, messageId: c.messageId, at: now, raw }));
    const r = this.space.hash(this.keys.runs(c.key));
    if (r && r.get('gen') === c.generation && r.get('state') === ExecutionState.RUNNING && r.get('msg') === c.messageId) {
      const error = `OutcomeRefusedError: the outcome of ${c.key} could not be recorded (${reason}) and was moved to the quarantine`;
      this.space.del(this.keys.runs(c.key));
      const h = this.space.hash(this.keys.runs(c.key), true);
      h.set('state', ExecutionState.FAILED).set('fn', r.get('fn') ?? '').set('gen', r.get('gen') ?? '0').set('when', String(now)).set('completed', String(now));
      h.set('seq', String(POISONED_SEQ)).set('sseq', String(POISONED_SEQ)).set('error', error);
      this.publishState(c.key, POISONED_SEQ, ExecutionState.FAILED, { completedAt: now, error, gen: Number(r.get('gen')) }, r.get('reply'));
      this.finishRecord(c.key, ttlMs);
    }
    this.dropMessage(c.messageId);
  }

  progress(key: string, generation: string, _now: number, current: number, total: number, message: string | null): Promise<boolean> {
    const now = this.space.now();
    const r = this.space.hash(this.keys.runs(key));
    const seq = Number(r?.get('seq')) + 1;
    if (!r || r.get('gen') !== generation || r.get('state') !== ExecutionState.RUNNING || !Number.isFinite(seq)) return Promise.resolve(false);
    r.set('pc', String(current)).set('pt', String(total)).set('pu', String(now)).set('seq', String(seq)).set('pseq', String(seq));
    if (message === null) r.delete('pm');
    else r.set('pm', message);
    const channel = this.keys.events(key);
    if (this.space.bus.listened(channel)) this.space.bus.publish(channel, JSON.stringify({ type: 'progress', key, current, total, message, updatedAt: now, seq }));
    return Promise.resolve(true);
  }

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

function deliveryOf(id: string, f: StreamFields): Delivery {
  return { id, key: f.key, generation: f.gen, redelivered: true };
}
