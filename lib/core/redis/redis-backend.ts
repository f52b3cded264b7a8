/**
 * The store port on Redis: a docket's producer and worker stores, its stream waiter and the
 * process's shared subscriber, each on a connection of the role it needs (see connection.ts).
 */
import type { Backend, BackendOptions, DocketStore, StreamWaiter, SubscriberHub, WorkerStore } from '../store';
import { DocketKeys } from '../store/docket-keys';
import { createConnection, isClusterUrl, openConnection, unavailable } from './connection';
import { RedisDocketStore } from './docket-store';
import { RedisStreamWaiter } from './stream-waiter';
import { RedisSubscriberHub } from './subscriber';
import { RedisWorkerStore } from './worker-store';

export class RedisBackend implements Backend {
  readonly keys: DocketKeys;

  constructor(private readonly options: BackendOptions) {
    // A cluster needs every key of the docket on one slot: the hash tag is implied.
    this.keys = new DocketKeys(options.name, options.hashTag || isClusterUrl(options.url));
  }

  async openDocketStore(): Promise<DocketStore> {
    const { url, logger, tls, commandTimeout } = this.options;
    const client = createConnection(url, 'command', logger, tls, commandTimeout);
    await openConnection(client, url);
    return new RedisDocketStore(this.keys, client, logger);
  }

  async openWorkerStore(): Promise<WorkerStore> {
    const { url, logger, tls } = this.options;
    const client = createConnection(url, 'worker', logger, tls);
    await openConnection(client, url);
    return new RedisWorkerStore(this.keys, client, logger);
  }

  openStreamWaiter(store: WorkerStore): Promise<StreamWaiter> {
    if (!(store instanceof RedisWorkerStore)) throw new TypeError('A Redis stream waiter needs the worker store this backend opened');
    const { url, logger, tls } = this.options;
    return RedisStreamWaiter.open(url, this.keys, store, logger, tls);
  }

  acquireSubscriber(): SubscriberHub {
    const { url, logger, tls } = this.options;
    return RedisSubscriberHub.acquire(url, logger, tls);
  }

  /** The wall clock: Redis scripts take their time from the producer and the worker. */
  now(): number {
    return Date.now();
  }

  unavailable(err: unknown): Error {
    return unavailable(this.options.url, err);
  }
}
