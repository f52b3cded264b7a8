/**
 * The store port's stream waiter on Redis: a worker's blocking connection and the waits on it.
 * Each wait blocks on the stream with the claim pipelined behind it (see
 * {@link RedisStreamWaiter.waitAndClaim}) and first learns the id of the connection it blocks
 * on, so that {@link RedisStreamWaiter.end} can UNBLOCK it even after a reconnect. On a cluster
 * that is the connection to the node serving the stream's slot, and the UNBLOCK goes to that node.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis } from 'ioredis';
import type { DocketKeys, Fetched, StreamWaiter, WaitRequest } from '../store';
import type { DocketLogger } from '../util/logger';
import { createConnection, dropConnection, openConnection, type RedisClient } from './connection';
import { installWaitScripts, scriptSha, type ScriptCommands } from './scripts';
import { completeScript } from './scripts/complete.script';
import { RedisWorkerStore } from './worker-store';

/** The scripts as a pipeline offers them (defineCommand adds them; ioredis's pipeline type does not know them). */
interface PipelinedScripts {
  docketClaimNext(...args: (string | number)[]): unknown;
}

/** A wait as {@link RedisStreamWaiter.waitAndClaim} takes it. */
interface BlockingWait extends WaitRequest {
  /** The worker's store, which reads the claim's reply. */
  store: RedisWorkerStore;
  /** Hears the blocking connection's id before the read blocks (single node only). */
  onConnectionId: (id: number) => void;
}

const UNBLOCK_RETRY_MS = 20;

/** A cluster node's address as ioredis keys its slot map: host:port. */
function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

export class RedisStreamWaiter implements StreamWaiter {
  private id?: number;
  /** On a cluster: the stream's slot, and the node the current wait blocks on. */
  private slot?: number;
  private node?: string;
  private waiting = false;
  /** Wakes an end() that waits for the wait to block (its connection id came) or to end. */
  private changed?: () => void;

  private constructor(
    private readonly connection: RedisClient & Pick<ScriptCommands, 'docketClaimNext'>,
    private readonly keys: DocketKeys,
    private readonly store: RedisWorkerStore,
  ) {}

  /** Opens the blocking connection; `store` is the worker's other connection, which sends UNBLOCK. */
  static async open(url: string, keys: DocketKeys, store: RedisWorkerStore, logger: DocketLogger, tls?: ConnectionOptions): Promise<RedisStreamWaiter> {
    const connection = createConnection(url, 'blocking', logger, tls);
    await openConnection(connection, url);
    const waiter = new RedisStreamWaiter(installWaitScripts(connection), keys, store);
    if (connection.isCluster) waiter.slot = Number(await connection.cluster('KEYSLOT', keys.stream));
    else waiter.id = Number(await connection.client('ID'));
    return waiter;
  }

  /** Calls `listener` each time the connection is back after an outage. */
  onReconnect(listener: () => void): void {
    this.connection.on('ready', listener);
  }

  /** One wait (and claim) on the stream. */
  async wait(request: WaitRequest): Promise<Fetched> {
    this.waiting = true;
    try {
      if (this.connection.isCluster) this.learnNodeConnection(this.connection as Cluster);
      return await RedisStreamWaiter.waitAndClaim(this.connection, this.keys, {
        ...request,
        store: this.store,
        onConnectionId: (id) => {
          this.id = id;
          this.changed?.();
        },
      });
    } finally {
      this.waiting = false;
      this.changed?.();
    }
  }

  /**
   * Waits up to `blockMs` for new messages and claims them: a blocking XREADGROUP with the claim
   * script pipelined right behind it on the same (dedicated) connection, so that Redis runs the
   * claim the moment the read is served. `after` is the highest stream id this worker was
   * delivered before; the script claims this worker's messages past it.
   *
   * `ahead` are outcomes to record first, in the same write: an idle worker's tasks that just
   * finished. Their script answers before the read blocks; `ahead.settled` hears that answer.
   *
   * On a single node the pipeline opens with CLIENT ID, whose answer goes to `onConnectionId`
   * before the read blocks: the id to UNBLOCK on stop, current even when this wait was held
   * through a reconnect (the connection's 'ready' event comes only after held commands went
   * out). It also puts this connection's output first, as the PING of the worker store's
   * publishing does.
   */
  static async waitAndClaim(blocking: RedisClient & Pick<ScriptCommands, 'docketClaimNext'>, keys: DocketKeys, wait: BlockingWait): Promise<Fetched> {
    const { worker, count, blockMs, after, ttlMs, ahead } = wait;
    const pipeline = blocking.pipeline();
    if (!blocking.isCluster) {
      pipeline.client('ID', (err?: Error | null, id?: unknown) => {
        if (!err) wait.onConnectionId(Number(id));
      });
    }
    if (ahead) {
      // EVALSHA itself, not the defined command: after a SCRIPT FLUSH, ioredis would resend the
      // script behind the blocked read. NOSCRIPT comes back as an error instead, and the outcomes
      // go the usual way, which loads the script.
      const args = RedisWorkerStore.completeArgs(keys, ahead.batch, ahead.now, ttlMs);
      pipeline.evalsha(scriptSha(completeScript, blocking.isCluster), ...args, (err?: Error | null, states?: unknown) => {
        if (!err && Array.isArray(states)) wait.store.completed(ahead.batch, states);
        ahead.settled(err ?? null);
      });
    }
    pipeline.xreadgroup('GROUP', keys.group, worker, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', keys.stream, '>');
    (pipeline as unknown as PipelinedScripts).docketClaimNext(keys.stream, keys.group, worker, '', keys.prefix, ttlMs, count, after);
    const results = (await pipeline.exec()) ?? [];
    const [read, claim] = results.slice(-2);
    if (read?.[0]) throw read[0];
    if (claim?.[0]) throw claim[0];
    return wait.store.fetched((claim?.[1] ?? []) as string[][]);
  }

  /** Ends the wait that is on, if any, so that the worker's loop sees its stop. */
  async end(): Promise<void> {
    while (this.waiting) {
      const changed = new Promise<void>((resolve) => (this.changed = resolve));
      const unblocked = this.id === undefined ? 0 : await this.unblock(this.id).catch(() => 0);
      if (unblocked === 1) return;
      // Not blocked in Redis yet (held through a reconnect, or still on its way): try again once
      // the wait's connection has said which it is, unless the wait ends first. The id may be
      // current already with the read not yet blocked (Redis reads a large pipeline in parts),
      // so try again shortly even if no new id comes.
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, UNBLOCK_RETRY_MS))]);
    }
  }

  /**
   * On a cluster, asks the connection to the node that serves the stream's slot for its id, ahead
   * of the wait on the same socket. Should the wait be redirected (the slot moved), the UNBLOCK
   * finds nothing there, and the wait ends by itself within its block.
   */
  private learnNodeConnection(cluster: Cluster): void {
    const key = this.slot === undefined ? undefined : cluster.slots[this.slot]?.[0];
    const node = key === undefined ? undefined : cluster.nodes('master').find((n) => nodeKey(n) === key);
    this.id = undefined;
    if (!node) return;
    node.client('ID').then(
      (id) => {
        this.id = Number(id);
        this.node = key;
        this.changed?.();
      },
      () => undefined,
    );
  }

  private async unblock(id: number): Promise<unknown> {
    const client = this.store.client;
    if (!client.isCluster) return client.client('UNBLOCK', id);
    const node = (client as Cluster).nodes('master').find((n) => nodeKey(n) === this.node);
    return node ? node.client('UNBLOCK', id) : 0;
  }

  disconnect(): void {
    dropConnection(this.connection);
  }
}
