/**
 * The worker's side of the memory backend: claims, outcomes, progress, concurrency places,
 * putting runs back, moving due work, leases, the redelivery sweep and heartbeats, each the
 * TypeScript twin of the Redis script or command of the same name (redis/worker-store.ts,
 * redis/upkeep-store.ts, redis/scripts/).
 */
import { ExecutionState } from '../execution/execution-state.enum';
import { POISONED_SEQ } from '../store/record-hash';
import type { ClaimedRun, Completion, Delivery, Fetched, WorkerStore } from '../store';
import { num } from './memory-docket-store';
import type { Hash } from './memory-space';
import { deliveryOf, MemoryUpkeepStore } from './memory-upkeep-store';

/** Outcomes and failures up to this size ride along in the terminal event (as in the complete script). */
const CARRIED_BYTES = 65_536;

export class MemoryWorkerStore extends MemoryUpkeepStore implements WorkerStore {
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
    return Promise.resolve(this.claimNextNow(worker, count, ttlMs));
  }

  /** Reads up to `count` new messages for `worker` and claims them, on the space's clock (the claim-next script). */
  claimNextNow(worker: string, count: number, ttlMs: number): Fetched {
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
        if (c.next !== undefined && outcome !== ExecutionState.CANCELLED) this.perpetuate(c, r, Number(seq) + 1, now, outcome);
        else this.finishRecord(c.key, ttlMs);
        answer = outcome;
      }
    }
    this.dropMessage(c.messageId);
    return answer;
  }

  /** The next run of a perpetual task: a new generation under the same key, queued or scheduled at `c.next`. */
  private perpetuate(c: Completion, old: Hash, seq: number, now: number, outcome: string): void {
    const at = c.next as number;
    const gen = String(Number(c.generation) + 1);
    this.space.del(this.keys.runs(c.key));
    const h = this.space.hash(this.keys.runs(c.key), true);
    const state = at <= now ? ExecutionState.QUEUED : ExecutionState.SCHEDULED;
    h.set('state', state).set('fn', old.get('fn') ?? '').set('args', old.get('args') ?? '').set('when', String(at)).set('gen', gen).set('seq', String(seq));
    h.set('rec', c.recurrence ?? '').set('lo', outcome).set('lt', String(now));
    if (state === ExecutionState.QUEUED) h.set('msg', this.space.stream(this.keys.stream).add({ key: c.key, gen }));
    else this.space.zset(this.keys.queue, true).add(c.key, at);
    this.publishState(c.key, seq, state, { when: at });
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
}
