/**
 * The producer's side of the memory backend: the same operations, on the same fields and with
 * the same events, as the Redis store's scripts (redis/scripts/*.script.ts), written as
 * TypeScript over a {@link MemorySpace}. Each operation runs to its end before any other begins
 * (one thread), which is what the scripts get from Redis running one script at a time.
 *
 * Nothing but this code writes a memory space, so the scripts' checks for bad data (a record
 * another client corrupted) have no counterpart here; the shared contract specs hold both
 * stores to the same behaviour.
 */
import { ExecutionState } from '../execution/execution-state.enum';
import type { CancelOutcome, DocketDepths, DocketStore, ExecutionRecord, PendingKeys, QuarantinedItem, ScheduleReply, ScheduleRequest, WorkerInfo } from '../store';
import { parseRecord, parseWorkerRecord } from '../store/record-hash';
import { MemoryRecords } from './memory-records';

const ACTIVE = new Set<string>([ExecutionState.SCHEDULED, ExecutionState.QUEUED, ExecutionState.RUNNING]);

/** A number field of a record, or undefined when absent (Lua's tonumber of nil). */
export const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** The generation a send under a caller's key wrote, from the record's 'tok' ('token=gen …', newest first). */
function sentGeneration(tokens: string | undefined, token: string): number | undefined {
  if (!token || !tokens) return undefined;
  for (const entry of tokens.split(' ')) if (entry.startsWith(`${token}=`)) return Number(entry.slice(token.length + 1));
  return undefined;
}

function withToken(tokens: string | undefined, token: string, gen: number): string {
  if (!token) return '';
  return [`${token}=${gen}`, ...(tokens ?? '').split(' ').filter(Boolean)].slice(0, 4).join(' ');
}

export class MemoryDocketStore extends MemoryRecords implements DocketStore {
  schedule(requests: readonly ScheduleRequest[], _now: number): Promise<ScheduleReply[]> {
    const now = this.space.now();
    return Promise.resolve(requests.map((r) => this.scheduleOne(r, now)));
  }

  private scheduleOne(r: ScheduleRequest, now: number): ScheduleReply {
    const k = this.keys;
    const runs = k.runs(r.key);
    const cur = this.space.hash(runs);
    const state = cur?.get('state');
    const ok = (gen: number): ScheduleReply => ({ status: 'ok', state: r.when <= now ? ExecutionState.QUEUED : ExecutionState.SCHEDULED, generation: String(gen), when: r.when });
    const sent = sentGeneration(cur?.get('tok'), r.token);
    if (sent !== undefined) return ok(sent);
    if (r.mode === 'new' && cur && state) return ok(Number(cur.get('gen')) || 0);
    if (cur && state && (r.mode === 'again' || (r.mode === 'add' && ACTIVE.has(state)))) {
      return { status: 'exists', state: state as ExecutionState, generation: cur.get('gen') ?? '0', when: Number(cur.get('when') ?? 0) };
    }
    if (r.cooldown) {
      // Within the cooldown of an earlier call of its group: dropped, nothing written (SET NX PX).
      const marker = k.cooldown(r.cooldown);
      if (this.space.exists(marker)) return { status: 'cooled', state: ExecutionState.CANCELLED, generation: '0', when: r.when };
      this.space.setString(marker, '1', r.cooldownMs);
    }
    const gen = (Number(cur?.get('gen')) || 0) + 1;
    const seq = (Number(cur?.get('seq')) || 0) + 1;
    const tokens = withToken(cur?.get('tok'), r.token, gen);
    if (cur && state) {
      const reply = cur.get('reply');
      if (reply && ACTIVE.has(state)) this.space.bus.publish(reply, JSON.stringify({ type: 'superseded', key: r.key, gen: Number(cur.get('gen')) }));
      const msg = cur.get('msg');
      if (state === ExecutionState.QUEUED && msg) {
        this.dropMessage(msg);
        this.passWake(cur.get('parked'), cur.get('psize'), now);
      }
      if (state === ExecutionState.SCHEDULED) this.space.zset(k.queue)?.remove(r.key);
      this.space.del(runs);
    }
    const h = this.space.hash(runs, true);
    if (r.reply) h.set('reply', r.reply);
    if (tokens) h.set('tok', tokens);
    const queued = r.when <= now;
    h.set('state', queued ? ExecutionState.QUEUED : ExecutionState.SCHEDULED).set('fn', r.task).set('args', r.args);
    h.set('when', String(r.when)).set('gen', String(gen)).set('seq', String(seq));
    if (queued) h.set('msg', this.space.stream(k.stream).add({ key: r.key, gen: String(gen) }));
    else this.space.zset(k.queue, true).add(r.key, r.when);
    if (r.trace) h.set('tc', r.trace);
    if (r.recurrence) h.set('rec', r.recurrence);
    this.publishState(r.key, seq, h.get('state') as string, { when: r.when });
    return ok(gen);
  }

  cancel(key: string, _now: number, ttlMs: number): Promise<CancelOutcome> {
    const now = this.space.now();
    const k = this.keys;
    const h = this.space.hash(k.runs(key));
    const state = h?.get('state');
    if (!h || !state) return Promise.resolve('missing');
    if (!ACTIVE.has(state)) return Promise.resolve(state as CancelOutcome);
    if (state === ExecutionState.RUNNING) {
      h.set('cancel', '1');
      this.space.bus.publish(k.cancelChannel, key);
      return Promise.resolve('cancelling');
    }
    if (state === ExecutionState.SCHEDULED) this.space.zset(k.queue)?.remove(key);
    const msg = h.get('msg');
    if (state === ExecutionState.QUEUED && msg) this.dropMessage(msg);
    const seq = Number(h.get('seq')) + 1;
    h.set('state', ExecutionState.CANCELLED).set('completed', String(now)).set('seq', String(seq)).set('sseq', String(seq));
    h.delete('msg');
    this.publishState(key, seq, ExecutionState.CANCELLED, { completedAt: now, gen: Number(h.get('gen')) }, h.get('reply'));
    this.finishRecord(key, ttlMs);
    if (state === ExecutionState.QUEUED) this.passWake(h.get('parked'), h.get('psize'), now);
    return Promise.resolve('cancelled');
  }

  read(key: string): Promise<ExecutionRecord | null> {
    const h = this.space.hash(this.keys.runs(key));
    return Promise.resolve(h ? parseRecord(key, Object.fromEntries(h)) : null);
  }

  async readMany(keys: readonly string[]): Promise<(ExecutionRecord | null)[]> {
    return Promise.all(keys.map((key) => this.read(key)));
  }

  readOutcome(key: string): Promise<{ result?: string; failure?: string; error?: string }> {
    const h = this.space.hash(this.keys.runs(key));
    return Promise.resolve({ result: h?.get('result'), failure: h?.get('failure'), error: h?.get('error') });
  }

  workers(maxAgeMs: number, _now: number): Promise<WorkerInfo[]> {
    const now = this.space.now();
    const live = this.space.zset(this.keys.workers)?.range(now - maxAgeMs, Infinity) ?? [];
    const infos = live.map(([name, seen]) => ({ name, lastSeen: new Date(seen), ...parseWorkerRecord(name, this.space.string(this.keys.worker(name)), this.logger) }));
    return Promise.resolve(infos.sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime()));
  }

  pendingKeys(limit: number): Promise<PendingKeys> {
    const stream = this.space.stream(this.keys.stream);
    const queue = this.space.zset(this.keys.queue);
    return Promise.resolve({
      streamed: [...stream.entries.values()].slice(0, limit).map((f) => f.key),
      scheduled: (queue?.head(limit) ?? []).map(([key]) => key),
      streamLength: stream.length,
      queueLength: queue?.size ?? 0,
      quarantineLength: this.quarantine().size,
    });
  }

  hasWork(): Promise<boolean> {
    return Promise.resolve(this.space.stream(this.keys.stream).length > 0 || (this.space.zset(this.keys.queue)?.size ?? 0) > 0);
  }

  depths(_now: number, workerMaxAgeMs: number): Promise<DocketDepths> {
    const now = this.space.now();
    const stream = this.space.stream(this.keys.stream);
    const queue = this.space.zset(this.keys.queue);
    const due = queue?.range(-Infinity, now) ?? [];
    // Entries a test holds back (DocketTester.runAtMost) are not counted as work to do.
    const undelivered = Math.max(0, stream.length - stream.pending.size - stream.heldCount());
    const first = undelivered > 0 ? stream.firstUndelivered() : undefined;
    const since = [Number(first?.split('-')[0]), due[0]?.[1]].filter((t): t is number => t !== undefined && Number.isFinite(t) && t > 0);
    return Promise.resolve({
      queued: undelivered + due.length,
      running: stream.pending.size,
      scheduled: Math.max(0, (queue?.size ?? 0) - due.length),
      oldestDueAt: since.length > 0 ? new Date(Math.min(...since)) : undefined,
      liveWorkers: this.space.zset(this.keys.workers)?.count(now - workerMaxAgeMs, Infinity) ?? 0,
    });
  }

  putStrike(id: string, rule: string | undefined, announcement: string): Promise<boolean> {
    const strikes = this.space.hash(this.keys.strikes, true);
    const changed = rule === undefined ? strikes.delete(id) : !strikes.has(id);
    if (rule !== undefined) strikes.set(id, rule);
    this.space.bus.publish(this.keys.strikesChannel, announcement);
    return Promise.resolve(changed);
  }

  strikeRules(): Promise<Record<string, string>> {
    return Promise.resolve(Object.fromEntries(this.space.hash(this.keys.strikes) ?? []));
  }

  quarantined(limit: number): Promise<{ items: QuarantinedItem[]; total: number }> {
    const all = [...this.quarantine().values()].map((raw) => reviveItem(raw));
    return Promise.resolve({ items: all.reverse().slice(0, limit), total: all.length });
  }

  quarantinedItem(id: string): Promise<QuarantinedItem | undefined> {
    const raw = this.quarantine().get(id);
    return Promise.resolve(raw === undefined ? undefined : reviveItem(raw));
  }

  clearQuarantine(ids?: readonly string[]): Promise<number> {
    const q = this.quarantine();
    const before = q.size;
    if (ids === undefined) q.clear();
    else for (const id of ids) q.delete(id);
    return Promise.resolve(before - q.size);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to close: the data belongs to the space, which outlives its stores. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function reviveItem(raw: string): QuarantinedItem {
  const item = JSON.parse(raw) as QuarantinedItem & { at: number };
  return { ...item, at: new Date(item.at) };
}
