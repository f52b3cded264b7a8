/**
 * A worker's blocking connection and the waits on it. Each wait blocks on the stream with the
 * claim pipelined behind it (see WorkerStore.waitAndClaim) and, on a single node, first learns
 * the connection's id, so that {@link StreamWaiter.end} can UNBLOCK it even after a reconnect.
 * On a cluster the UNBLOCK could not name the node the wait is on; a stop there waits out the
 * block (up to a second).
 */
import type { ConnectionOptions } from 'node:tls';
import type { DocketLogger } from './logger';
import { createConnection, openConnection, type RedisClient } from './redis/connection';
import type { DocketKeys } from './redis/keys';
import { installWaitScripts, type ScriptCommands } from './redis/scripts';
import { WorkerStore, type Fetched, type WaitRequest } from './redis/worker-store';

const UNBLOCK_RETRY_MS = 20;

export class StreamWaiter {
  private id?: number;
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
    waiter.id = Number(await connection.client('ID'));
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
    if (!this.waiting) return;
    if (this.connection.isCluster) {
      // UNBLOCK cannot name the node the wait is on, and closing the connection under it is no
      // way out: a wait Redis serves after the client gave up leaves what it delivered (and
      // claimed) to a sweep after redeliveryTimeout, and ioredis never settles a wait held while
      // the cluster reconnects once it is disconnected. The wait ends by itself within its block.
      return;
    }
    while (this.waiting && this.id !== undefined) {
      const changed = new Promise<void>((resolve) => (this.changed = resolve));
      const unblocked = await this.store.client.client('UNBLOCK', this.id).catch(() => 0);
      if (unblocked === 1) return;
      // Not blocked in Redis yet (held through a reconnect, or still on its way): try again once
      // the wait's connection has said which it is, unless the wait ends first. The id may be
      // current already with the read not yet blocked (Redis reads a large pipeline in parts),
      // so try again shortly even if no new id comes.
      await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, UNBLOCK_RETRY_MS))]);
    }
  }

  disconnect(): void {
    this.connection.disconnect();
  }
}
