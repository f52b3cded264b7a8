/**
 * The backend behind `memory://` URLs: the whole store port in this process, with no server. A
 * worker's wait for work is a promise woken by the next stream entry; a subscription is a
 * listener on the space's bus.
 */
import type { Backend, BackendOptions, DocketStore, Fetched, Listener, StreamWaiter, SubscriberHub, WaitRequest, WorkerStore } from '../store';
import { DocketKeys } from '../store/docket-keys';
import type { DocketLogger } from '../util/logger';
import { excerpt, RateLimitedLog } from '../util/rate-limited-log';
import { MemorySpace, sharedSpace } from './memory-space';
import type { StreamFields } from './memory-structures';
import { MemoryWorkerStore } from './memory-worker-store';

/** Waits for stream entries of one worker; `end()` ends the wait that is on with nothing read. */
class MemoryStreamWaiter implements StreamWaiter {
  private endWait?: () => void;
  private ended = false;

  constructor(
    private readonly store: MemoryWorkerStore,
    private readonly space: MemorySpace,
  ) {}

  async wait(request: WaitRequest): Promise<Fetched> {
    const { worker, count, blockMs, ttlMs, ahead } = request;
    if (ahead) {
      const written = await this.store.complete(ahead.batch, ahead.now, ttlMs).then(
        () => null,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
      ahead.settled(written);
    }
    const stream = this.space.stream(this.store.keys.stream);
    if (this.ended) return { runs: [], read: 0 };
    if (!stream.hasUndelivered()) {
      const ended = await new Promise<boolean>((resolve) => {
        const timer = blockMs > 0 ? setTimeout(() => done(false), blockMs) : undefined;
        const stopWaiting = stream.whenAdded(() => done(false));
        const done = (byEnd: boolean): void => {
          if (timer) clearTimeout(timer);
          stopWaiting();
          this.endWait = undefined;
          resolve(byEnd);
        };
        this.endWait = () => done(true);
      });
      if (ended) return { runs: [], read: 0 };
    }
    return this.store.claimNextNow(worker, count, ttlMs);
  }

  /** Ends the wait that is on, and any the worker starts after it: it is stopping. */
  end(): Promise<void> {
    this.ended = true;
    this.endWait?.();
    return Promise.resolve();
  }

  /** A memory space never disconnects. */
  onReconnect(): void {}

  disconnect(): void {
    this.endWait?.();
  }
}

/** Subscriptions on a space's bus. A listener that throws loses that message alone, with a log line. */
class MemorySubscriberHub implements SubscriberHub {
  readonly status = 'ready';
  private readonly dropped: RateLimitedLog;

  constructor(
    private readonly space: MemorySpace,
    logger: DocketLogger,
  ) {
    this.dropped = new RateLimitedLog(logger);
  }

  listen(channel: string, listener: Listener): Promise<() => void> {
    return Promise.resolve(this.space.bus.subscribe(channel, (message, on) => this.dispatch(listener, message, on)));
  }

  listenPattern(pattern: string, listener: Listener): Promise<() => void> {
    return Promise.resolve(this.space.bus.psubscribe(pattern, (message, on) => this.dispatch(listener, message, on)));
  }

  /** Nothing to close: the bus belongs to the space. */
  release(): Promise<void> {
    return Promise.resolve();
  }

  private dispatch(listener: Listener, message: string, channel: string): void {
    try {
      listener.onMessage(message, channel);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.dropped.warn('dropped', `Dropped ${excerpt(message)} heard on ${channel}: ${why}`);
    }
  }
}

/**
 * The in-process backend. `memory://` is a space of this docket's own (shared by its producer,
 * workers and subscriptions); `memory://NAME` is shared with every docket of the process that
 * uses the same URL.
 */
export class MemoryBackend implements Backend {
  readonly keys: DocketKeys;
  private readonly own?: MemorySpace;

  constructor(private readonly options: BackendOptions) {
    this.keys = new DocketKeys(options.name, options.hashTag);
    if (/^memory:\/\/$/i.test(options.url)) this.own = new MemorySpace();
  }

  openDocketStore(): Promise<DocketStore> {
    return Promise.resolve(new MemoryWorkerStore(this.keys, this.space(), this.options.logger));
  }

  openWorkerStore(): Promise<WorkerStore> {
    return Promise.resolve(new MemoryWorkerStore(this.keys, this.space(), this.options.logger));
  }

  openStreamWaiter(store: WorkerStore): Promise<StreamWaiter> {
    if (!(store instanceof MemoryWorkerStore)) throw new TypeError('A memory stream waiter needs the worker store this backend opened');
    return Promise.resolve(new MemoryStreamWaiter(store, this.space()));
  }

  acquireSubscriber(): SubscriberHub {
    return new MemorySubscriberHub(this.space(), this.options.logger);
  }

  unavailable(err: unknown): Error {
    return err instanceof Error ? err : new Error(String(err));
  }

  /** The space's clock, which {@link MemoryBackend.advanceClock} moves ahead. */
  now(): number {
    return this.space().now();
  }

  /** Moves the space's clock `ms` ahead: scheduled and retried work comes due as if that time had passed. */
  advanceClock(ms: number): void {
    this.space().advance(ms);
  }

  /**
   * Lets each task name or execution key in `limits` start at most that many more runs; further
   * runs of them stay queued, unseen by workers and by the count of work due, until the returned
   * function lifts the limit.
   */
  limitRuns(limits: Readonly<Record<string, number>>): () => void {
    const space = this.space();
    const stream = space.stream(this.keys.stream);
    const left = new Map(Object.entries(limits));
    const limitOf = (fields: StreamFields): string | undefined => {
      if (left.has(fields.key)) return fields.key;
      const task = space.hash(this.keys.runs(fields.key))?.get('fn');
      return task !== undefined && left.has(task) ? task : undefined;
    };
    stream.gate = {
      holds: (fields) => {
        const limit = limitOf(fields);
        return limit !== undefined && (left.get(limit) ?? 0) <= 0;
      },
      delivered: (fields) => {
        const limit = limitOf(fields);
        if (limit !== undefined) left.set(limit, (left.get(limit) ?? 0) - 1);
      },
    };
    return () => {
      stream.gate = undefined;
    };
  }

  /** This docket's own space, or the shared one of its `memory://NAME`. */
  private space(): MemorySpace {
    return this.own ?? sharedSpace(this.options.url);
  }
}
