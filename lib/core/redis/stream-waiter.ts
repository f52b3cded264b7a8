/**
 * A worker's blocking connection and the waits on it. Each wait blocks on the stream with the
 * claim pipelined behind it (see WorkerStore.waitAndClaim) and first learns the id of the
 * connection it blocks on, so that {@link StreamWaiter.end} can UNBLOCK it even after a
 * reconnect. On a cluster that is the connection to the node serving the stream's slot, and the
 * UNBLOCK goes to that node.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis } from 'ioredis';
import type { DocketLogger } from '../util/logger';
import { createConnection, dropConnection, openConnection, type RedisClient } from './connection';
import type { DocketKeys } from '../store/docket-keys';
import { installWaitScripts, type ScriptCommands } from './scripts';
import { WorkerStore, type Fetched, type WaitRequest } from './worker-store';

const UNBLOCK_RETRY_MS = 20;

/** A cluster node's address as ioredis keys its slot map: host:port. */
function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

export class StreamWaiter {
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
    private readonly store: WorkerStore,
  ) {}

  /** Opens the blocking connection; `store` is the worker's other connection, which sends UNBLOCK. */
  static async open(url: string, keys: DocketKeys, store: WorkerStore, logger: DocketLogger, tls?: ConnectionOptions): Promise<StreamWaiter> {
    const connection = createConnection(url, 'blocking', logger, tls);
    await openConnection(connection, url);
    const waiter = new StreamWaiter(installWaitScripts(connection), keys, store);
    if (connection.isCluster) waiter.slot = Number(await connection.cluster('KEYSLOT', keys.stream));
    else waiter.id = Number(await connection.client('ID'));
    return waiter;
  }

  /** Calls `listener` each time the connection is back after an outage. */
  onReconnect(listener: () => void): void {
    this.connection.on('ready', listener);
  }

  /** One wait (and claim) on the stream. */
  async wait(request: Omit<WaitRequest, 'onConnectionId'>): Promise<Fetched> {
    this.waiting = true;
    try {
      if (this.connection.isCluster) this.learnNodeConnection(this.connection as Cluster);
      return await WorkerStore.waitAndClaim(this.connection, this.keys, {
        ...request,
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
