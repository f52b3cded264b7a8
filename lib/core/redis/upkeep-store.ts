/**
 * The store port's worker side on Redis, for the upkeep of the fleet: moving due work to the
 * stream, renewing leases, the redelivery sweep, heartbeats, a worker's own pending messages,
 * and telling Redis's errors apart. {@link RedisWorkerStore} adds the runs themselves.
 */
import type { Delivery, Place, WorkerInfo } from '../store';
import { answers, isNoGroup, RedisDocketStore, STREAM_ID } from './docket-store';
import { parseDelivery } from '../store/record-hash';

/**
 * Errors Redis answers with for the state it is in, not for the command: writing again later
 * succeeds (memory freed, a failover over, a load finished).
 */
const SERVER_STATES = /^(OOM|MISCONF|READONLY|LOADING|BUSY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN|NOSCRIPT)\b/;

/**
 * True for a command ioredis gave up on because its connection closed after an earlier command
 * of the same pipeline was answered (a whole unanswered pipeline is resent after the reconnect).
 */
export function isAborted(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The upkeep half of a worker's store (see the file comment). */
export class RedisUpkeepStore extends RedisDocketStore {
  /** The messages delivered to `worker` that it has not acknowledged, from the start of its pending list. */
  async ownPending(worker: string, count: number): Promise<Delivery[]> {
    const reply = (await this.client.xreadgroup(
      'GROUP', this.keys.group, worker, 'COUNT', count, 'STREAMS', this.keys.stream, '0',
    )) as [string, [string, string[] | null][]][] | null;
    const entries = reply?.[0]?.[1] ?? [];
    return entries.flatMap(([id, fields]) => (fields ? [parseDelivery(id, fields, true)] : []));
  }

  isRefused(err: unknown): boolean {
    return err instanceof Error && err.name === 'ReplyError' && !SERVER_STATES.test(err.message);
  }

  async streamDue(now: number, limit: number, ttlMs: number): Promise<number> {
    const k = this.keys;
    const [taken, ...quarantined] = await this.client.docketStreamDue(k.queue, k.stream, now, limit, k.prefix, ttlMs);
    for (let i = 0; i < quarantined.length; i += 2) this.reportQuarantined('record', `the scheduled record of ${quarantined[i]}`, `${quarantined[i + 1]}; it is FAILED now`);
    return Number(taken);
  }

  /**
   * Resets the idle time of messages this worker still runs, so no sweep takes them, and extends
   * the leases of the concurrency places they hold by `leaseMs`.
   */
  async renewLeases(consumer: string, ids: readonly string[], places: readonly { id: string; place: Place }[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    if (places.length === 0) {
      await this.client.call('XCLAIM', this.keys.stream, this.keys.group, consumer, 0, ...ids, 'IDLE', 0, 'JUSTID');
      return;
    }
    const pipeline = this.client.pipeline();
    pipeline.call('XCLAIM', this.keys.stream, this.keys.group, consumer, 0, ...ids, 'IDLE', 0, 'JUSTID');
    const until = Date.now() + leaseMs;
    for (const { id, place } of places) {
      // XX: a place that lapsed (and may have gone to another run) is not taken back.
      pipeline.zadd(this.keys.slots(place.name), 'XX', until, id);
      pipeline.pexpire(this.keys.slots(place.name), leaseMs, 'GT');
    }
    await answers(pipeline);
  }

  /**
   * One step of the fleet-wide redelivery sweep: takes the sweep lease (so one worker sweeps at
   * a time), continues from the shared cursor, and claims up to `count` messages idle longer
   * than `minIdleMs`. Returns an empty list when another worker holds the lease.
   */
  async sweep(consumer: string, minIdleMs: number, count: number, leaseMs: number): Promise<Delivery[]> {
    const k = this.keys;
    const leased = await this.client.set(k.sweepLease, consumer, 'PX', leaseMs, 'NX');
    if (leased !== 'OK') return [];
    try {
      let cursor = (await this.client.get(k.sweepCursor)) ?? '0-0';
      if (!STREAM_ID.test(cursor)) {
        // Not a stream id (damaged): XAUTOCLAIM would refuse it on every pass. Start over.
        this.logger.warn(`The redelivery sweep's cursor ${JSON.stringify(cursor.slice(0, 40))} is not a stream id; sweeping from the start`);
        cursor = '0-0';
      }
      const reply = (await this.client.xautoclaim(
        k.stream, k.group, consumer, minIdleMs, cursor, 'COUNT', count,
      )) as [string, [string, string[] | null][], string[]?];
      await this.client.set(k.sweepCursor, reply[0]);
      return reply[1]
        .filter(([, fields]) => fields !== null)
        .map(([id, fields]) => parseDelivery(id, fields as string[], true));
    } finally {
      // Release the lease only if it is still ours (it may have lapsed and passed on).
      await this.client.docketReleaseLease(k.sweepLease, consumer);
    }
  }

  async heartbeat(info: WorkerInfo, ttlMs: number): Promise<void> {
    const k = this.keys;
    const now = info.lastSeen.getTime();
    await this.client
      .multi()
      .zremrangebyscore(k.workers, '-inf', now - ttlMs)
      .zadd(k.workers, now, info.name)
      .set(k.worker(info.name), JSON.stringify({ tasks: info.tasks, concurrency: info.concurrency }), 'PX', ttlMs)
      .exec();
  }

  async removeWorker(name: string): Promise<void> {
    await this.client.multi().zrem(this.keys.workers, name).del(this.keys.worker(name)).exec();
  }

  onReconnect(listener: () => void): void {
    this.client.on('ready', listener);
  }

  isMissingGroup(err: unknown): boolean {
    return isNoGroup(err);
  }

  isInterrupted(err: unknown): boolean {
    return isAborted(err);
  }

  isTransient(err: Error): boolean {
    return isAborted(err) || err.message === 'Connection is closed.' || err.message.startsWith('NOSCRIPT');
  }
}
