/**
 * The store port's producer side on Redis: adds, cancels, reads of records, strikes, and the
 * views of pending work and live workers. With {@link RedisWorkerStore}, which extends it for a
 * worker's connection, these are the only places the engine's commands become Redis commands.
 */
import type { ChainableCommander } from 'ioredis';
import { ExecutionState } from '../execution/execution-state.enum';
import type { CancelOutcome, DocketDepths, DocketKeys, DocketStore, ExecutionRecord, PendingKeys, QuarantinedItem, ScheduleReply, ScheduleRequest, WorkerInfo } from '../store';
import { closeConnection, type RedisClient } from './connection';
import { UnreadableRecordError } from '../errors/bad-data.errors';
import { parseDelivery, parseRecord, parseWorkerRecord } from '../store/record-hash';
import { consoleLogger, type DocketLogger } from '../util/logger';
import { installScripts, type ScriptCommands } from './scripts';
import { countQuarantined } from '../telemetry/docket-telemetry';

const SCHEDULE_CHUNK = 50;

/** What a stream entry id looks like; XRANGE, XAUTOCLAIM and the like refuse anything else. */
export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

function isBusyGroup(err: unknown): boolean {
  return err instanceof Error && err.message.includes('BUSYGROUP');
}

/** True for the error Redis gives when the stream or its consumer group does not exist yet. */
export function isNoGroup(err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOGROUP');
}

/**
 * The answers of a pipeline's commands, in order; throws the first command's error instead of
 * answering for it (a connection cut mid-pipeline fails the commands it did not answer).
 */
export async function answers(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (!results) throw new Error('Redis discarded the pipeline');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

export class RedisDocketStore implements DocketStore {
  readonly client: RedisClient & ScriptCommands;

  constructor(
    readonly keys: DocketKeys,
    client: RedisClient,
    /** Where what the scripts quarantine, and records that cannot be read, are reported. */
    protected readonly logger: DocketLogger = consoleLogger,
  ) {
    this.client = installScripts(client);
  }

  /** Logs, once, and counts an item a script moved to the quarantine: a stream `message`, a `record` or an `outcome`. */
  protected reportQuarantined(kind: 'message' | 'record' | 'outcome', what: string, reason: string): void {
    this.logger.warn(`Quarantined ${what}: ${reason} (see docket quarantine ls)`);
    countQuarantined(this.keys.name, kind);
  }

  /**
   * Schedules a batch of executions: one script call per chunk of 50, the chunks sent together.
   */
  async schedule(requests: readonly ScheduleRequest[], now: number): Promise<ScheduleReply[]> {
    const chunks: Promise<ScheduleReply[]>[] = [];
    for (let i = 0; i < requests.length; i += SCHEDULE_CHUNK) {
      chunks.push(this.scheduleChunk(requests.slice(i, i + SCHEDULE_CHUNK), now));
    }
    return (await Promise.all(chunks)).flat();
  }

  private async scheduleChunk(requests: readonly ScheduleRequest[], now: number): Promise<ScheduleReply[]> {
    const k = this.keys;
    const args: (string | number)[] = [now, k.events(''), k.group];
    for (const r of requests) args.push(r.key, r.mode, r.when, r.task, r.args, r.reply, r.token, r.trace, r.cooldown, r.cooldownMs, r.recurrence);
    const replies = await this.client.docketSchedule(requests.length + 2, k.stream, k.queue, ...requests.map((r) => k.runs(r.key)), ...args);
    return replies.map((raw, i) =>
      typeof raw === 'number'
        ? {
            status: 'ok',
            state: requests[i].when <= now ? ExecutionState.QUEUED : ExecutionState.SCHEDULED,
            generation: String(raw),
            when: requests[i].when,
          }
        : raw[0] === 'cooled'
          ? { status: 'cooled', state: ExecutionState.CANCELLED, generation: '0', when: requests[i].when }
          : { status: 'exists', state: raw[1] as ExecutionState, generation: raw[2], when: Number(raw[3]) },
    );
  }

  async cancel(key: string, now: number, ttlMs: number): Promise<CancelOutcome> {
    const k = this.keys;
    return (await this.client.docketCancel(
      k.runs(key), k.stream, k.queue, key, now, ttlMs, k.events(key), k.cancelChannel, k.group,
    )) as CancelOutcome;
  }

  async read(key: string): Promise<ExecutionRecord | null> {
    return this.parsed(key, await this.client.hgetall(this.keys.runs(key)));
  }

  async readMany(keys: readonly string[]): Promise<(ExecutionRecord | null)[]> {
    if (keys.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.hgetall(this.keys.runs(key));
    return (await answers(pipeline)).map((h, i) => this.parsed(keys[i], h as Record<string, string>));
  }

  /** A record, or null when there is none or it cannot be read (logged: the worker's scripts quarantine it). */
  private parsed(key: string, hash: Record<string, string>): ExecutionRecord | null {
    try {
      return parseRecord(key, hash);
    } catch (err) {
      if (!(err instanceof UnreadableRecordError)) throw err;
      this.logger.warn(`Ignoring the record of ${key}: ${err.reason}`);
      return null;
    }
  }

  /** The stored result and failure of a finished run. */
  async readOutcome(key: string): Promise<{ result?: string; failure?: string; error?: string }> {
    const [result, failure, error] = await this.client.hmget(this.keys.runs(key), 'result', 'failure', 'error');
    return { result: result ?? undefined, failure: failure ?? undefined, error: error ?? undefined };
  }

  async ensureGroup(): Promise<void> {
    try {
      await this.client.xgroup('CREATE', this.keys.stream, this.keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!isBusyGroup(err)) throw err;
    }
  }

  async workers(maxAgeMs: number, now: number): Promise<WorkerInfo[]> {
    const k = this.keys;
    const flat = await this.client.zrangebyscore(k.workers, now - maxAgeMs, '+inf', 'WITHSCORES');
    const names: string[] = [];
    const seen: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      names.push(flat[i]);
      seen.push(Number(flat[i + 1]));
    }
    if (names.length === 0) return [];
    const records = await this.client.mget(...names.map((n) => k.worker(n)));
    return names
      .map((name, i) => ({ name, lastSeen: new Date(seen[i]), ...parseWorkerRecord(name, records[i], this.logger) }))
      .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime());
  }

  /** Keys in the stream (queued or being run) and the queue (scheduled), up to `limit` each. */
  async pendingKeys(limit: number): Promise<PendingKeys> {
    const k = this.keys;
    const [entries, scheduled, streamLength, queueLength, quarantineLength] = await answers(
      this.client
        .pipeline()
        .xrange(k.stream, '-', '+', 'COUNT', String(limit))
        .zrange(k.queue, '0', String(limit - 1))
        .xlen(k.stream)
        .zcard(k.queue)
        .xlen(k.quarantine),
    );
    const streamed = (entries as [string, string[]][]).map(([id, f]) => parseDelivery(id, f, false).key);
    return {
      streamed,
      scheduled: scheduled as string[],
      streamLength: streamLength as number,
      queueLength: queueLength as number,
      quarantineLength: quarantineLength as number,
    };
  }

  /** How much work the docket holds (see the depths script). */
  async depths(now: number, workerMaxAgeMs: number): Promise<DocketDepths> {
    const k = this.keys;
    const [undelivered, pending, scheduled, due, first, dueFirst, live] = await this.client.docketDepths(k.stream, k.queue, k.workers, k.group, now, now - workerMaxAgeMs);
    const count = (v: number | string | undefined): number => (typeof v === 'number' && v >= 0 ? v : 0);
    // The stream id's first part is when the entry was added: when its run became due, or just after.
    const since = [String(first).split('-')[0], String(dueFirst)].map(Number).filter((t) => Number.isFinite(t) && t > 0);
    return {
      queued: count(undelivered) + count(due),
      running: count(pending),
      scheduled: Math.max(0, count(scheduled) - count(due)),
      oldestDueAt: since.length > 0 ? new Date(Math.min(...since)) : undefined,
      liveWorkers: count(live),
    };
  }

  /** True while any work is queued, scheduled or unacknowledged. */
  async hasWork(): Promise<boolean> {
    const [streamLength, queueLength] = await answers(this.client.pipeline().xlen(this.keys.stream).zcard(this.keys.queue));
    return (streamLength as number) > 0 || (queueLength as number) > 0;
  }

  /**
   * Writes a strike rule under `id` (or, with `rule` undefined, removes it) and publishes
   * `announcement` on the strikes channel, in one MULTI. True when it changed what is in effect.
   */
  async putStrike(id: string, rule: string | undefined, announcement: string): Promise<boolean> {
    const multi = this.client.multi();
    if (rule === undefined) multi.hdel(this.keys.strikes, id);
    else multi.hset(this.keys.strikes, id, rule);
    multi.publish(this.keys.strikesChannel, announcement);
    const [changed] = await answers(multi);
    return Number(changed) === 1;
  }

  /** Every strike rule in effect: id → the rule as stored. */
  strikeRules(): Promise<Record<string, string>> {
    return this.client.hgetall(this.keys.strikes);
  }

  async quarantined(limit: number): Promise<{ items: QuarantinedItem[]; total: number }> {
    const [entries, total] = await answers(this.client.pipeline().xrevrange(this.keys.quarantine, '+', '-', 'COUNT', limit).xlen(this.keys.quarantine));
    return { items: (entries as [string, string[]][]).map(quarantinedItemOf), total: total as number };
  }

  async quarantinedItem(id: string): Promise<QuarantinedItem | undefined> {
    // XRANGE refuses what is not a stream id: such an id names no item.
    if (!STREAM_ID.test(id)) return undefined;
    const [entry] = await this.client.xrange(this.keys.quarantine, id, id);
    return entry && quarantinedItemOf(entry);
  }

  async clearQuarantine(ids?: readonly string[]): Promise<number> {
    if (ids === undefined) return this.client.xtrim(this.keys.quarantine, 'MAXLEN', 0);
    return ids.length === 0 ? 0 : this.client.xdel(this.keys.quarantine, ...ids);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  close(): Promise<void> {
    return closeConnection(this.client);
  }
}

/** A quarantine stream entry as the port gives it back (fields it lacks read as empty). */
function quarantinedItemOf([id, fields]: [string, string[]]): QuarantinedItem {
  const f = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
  const at = Number(f.get('at'));
  return { id, what: f.get('what') ?? '?', reason: f.get('reason') ?? '', key: f.get('key') ?? '', messageId: f.get('id') ?? '', at: new Date(Number.isFinite(at) ? at : 0), raw: f.get('raw') ?? '' };
}
