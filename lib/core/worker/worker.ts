/**
 * A worker: claims due executions of one docket from its stream and runs them.
 *
 * Round trips are kept few: one blocking read fetches up to `concurrency` messages, one script
 * claims them all, and the completions of tasks that finish together go out in one pipeline.
 * A message is acknowledged only by the script that records its terminal state, so a worker that
 * dies mid-task leaves its messages pending; after `redeliveryTimeout` another worker's sweep
 * takes them over. Live workers renew the lease of what they run, so long tasks are never stolen.
 */
import type { Docket } from '../producer/docket';
import { ExecutionCancelledError } from '../errors/docket.errors';
import type { DocketLogger } from '../util/logger';
import { OutcomeWriter } from './outcome-writer';
import { closeConnection, createConnection, openConnection } from '../redis/connection';
import { isNoGroup } from '../redis/docket-store';
import type { Delivery } from '../redis/execution-record';
import { isAborted, WorkerStore, type ClaimedRun, type Fetched } from '../redis/worker-store';
import { StreamWaiter } from '../redis/stream-waiter';
import { startRun, type ActiveRun, type RunSite } from './task-runner';
import { resolveWorkerOptions, type ResolvedWorkerOptions, type WorkerOptions } from './worker.options';
import { WorkerUpkeep } from './worker-upkeep';

/**
 * Options of {@link Worker.stop}.
 *
 * @example
 * await worker.stop({ drainTimeout: 10_000 });
 */
export interface StopOptions {
  /** How long (ms) to wait for running tasks; the rest is left to redelivery. @default the worker's drainTimeout */
  drainTimeout?: number;
}

const BLOCK_MS = 1_000;
const UNTIL_FINISHED_BLOCK_MS = 100;

/**
 * Runs the tasks of a docket.
 *
 * @example
 * const worker = new Worker(docket, { concurrency: 10 });
 * void worker.runForever();
 * process.on('SIGTERM', () => worker.stop({ drainTimeout: 30_000 }));
 */
export class Worker {
  readonly options: ResolvedWorkerOptions;
  private readonly logger: DocketLogger;
  private readonly active = new Map<string, ActiveRun>();
  /**
   * Every run going on here, by run: `active` holds the latest run of each key, and a run
   * replaced while it goes on is no longer there, though its message and place still need
   * their leases renewed.
   */
  private readonly live = new Set<ActiveRun>();
  private store?: WorkerStore;
  private waiter?: StreamWaiter;
  /** The highest stream id this worker has read (new messages come after it). */
  private lastDelivered = '0-0';
  private loop?: Promise<void>;
  private starting?: Promise<void>;
  private shuttingDown?: Promise<void>;
  private stopping = false;
  private slotFreed: (() => void) | undefined;
  private upkeep?: WorkerUpkeep;
  /** Where runs start (made once the worker's store is open). */
  private site?: RunSite;
  private unlistenCancel?: () => void;
  private outcomes?: OutcomeWriter;

  constructor(
    readonly docket: Docket,
    options: WorkerOptions = {},
  ) {
    this.options = resolveWorkerOptions(options, docket.logger);
    this.logger = this.options.logger;
  }

  /** The consumer name of this worker. */
  get name(): string {
    return this.options.name;
  }

  /** How many tasks are running now. */
  get activeCount(): number {
    return this.live.size;
  }

  /**
   * Runs until {@link Worker.stop} is called.
   *
   * @example
   * void worker.runForever();
   */
  async runForever(): Promise<void> {
    if (!(await this.begin())) return;
    this.loop = this.work(false);
    await this.loop;
  }

  /**
   * Runs until nothing is queued, scheduled or running any more (future work is waited for),
   * then stops.
   *
   * @example
   * await docket.add(task)(); await worker.runUntilFinished();
   */
  async runUntilFinished(): Promise<void> {
    if (!(await this.begin())) return;
    this.loop = this.work(true);
    await this.loop;
    await this.shutdown(this.options.drainTimeout);
  }

  /**
   * Stops claiming, waits for running tasks up to `drainTimeout`, writes their outcomes, and
   * closes the worker's connections. Tasks still running then are aborted and left to be
   * redelivered to another worker.
   *
   * @example
   * await worker.stop({ drainTimeout: 10_000 });
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.stopping) return this.loop?.then(() => undefined);
    this.stopping = true;
    // A stop during start-up waits for it, so nothing it opens outlives the stop.
    await this.starting?.catch(() => undefined);
    this.slotFreed?.();
    await this.waiter?.end();
    await this.loop?.catch(() => undefined);
    await this.shutdown(options.drainTimeout ?? this.options.drainTimeout);
  }

  /** Starts the worker; false when it was stopped meanwhile (and is now shut down). */
  private async begin(): Promise<boolean> {
    this.starting = this.start();
    await this.starting;
    if (!this.stopping) return true;
    await this.shutdown(0);
    return false;
  }

  private async start(): Promise<void> {
    const { url } = this.docket;
    const client = createConnection(url, 'worker', this.logger, this.docket.tls);
    await openConnection(client, url);
    const store = (this.store = new WorkerStore(this.docket.keys, client));
    this.outcomes = new OutcomeWriter(store, this.docket.executionTtl, this.logger, this.name);
    this.waiter = await StreamWaiter.open(url, this.docket.keys, store, this.logger, this.docket.tls);
    const upkeep = (this.upkeep = new WorkerUpkeep(
      {
        docket: this.docket,
        options: this.options,
        name: this.name,
        running: () => !this.stopping,
        activeCount: () => this.live.size,
        activeMessageIds: () => [...this.live].map((a) => a.run.id),
        activePlaces: () => [...this.live].flatMap((a) => (a.place ? [{ id: a.run.id, place: a.place }] : [])),
        isActive: (key, messageId) => this.isActive(key, messageId),
        claim: (deliveries) => this.claim(deliveries),
      },
      store,
      this.logger,
    ));
    // A reconnect of either connection may have lost the answer to a claim: what Redis claimed
    // for this worker then waits in its pending list, and is taken up again.
    this.waiter.onReconnect(() => void this.recoverOwn());
    client.on('ready', () => void this.recoverOwn());
    await store.ensureGroup();
    this.unlistenCancel = await this.docket.hub().listen(this.docket.keys.cancelChannel, {
      onMessage: (key) => this.cancelLocal(key),
    });
    // Strikes are known before the first claim, and followed from then on.
    await this.docket.strikeList().ready();
    await this.recoverOwn();
    await upkeep.start();
    this.logger.log(`Worker ${this.name} started on docket "${this.docket.name}" with tasks: ${this.docket.tasks.names().join(', ') || '(none)'}`);
  }

  private async work(untilFinished: boolean): Promise<void> {
    const store = this.store!;
    const waiter = this.waiter!;
    const { concurrency } = this.options;
    let backoff = 100;
    // After a wait that brought less than it could take, the stream is known to be empty: the
    // next fetch waits again at once instead of first asking the busy worker's script.
    let idle = false;
    // Runs started by the last wait: the next one lets them finish their turn first.
    let launched = false;
    while (!this.stopping) {
      if (idle && launched) {
        // Tasks that finish within this turn have their outcomes written in the same write as
        // the next wait, instead of the wait going out ahead of them in a write of its own.
        launched = false;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const available = concurrency - this.live.size;
      if (available <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        // Busy: one script reads and claims. Idle: block on the stream with the claim pipelined
        // behind the read, so what arrives is claimed without another round trip.
        if (!idle) {
          const next = await store.claimNext(this.name, available, Date.now(), this.docket.executionTtl);
          this.noteDelivered(next);
          for (const run of next.runs) this.launch(run);
          if (next.read > 0 || this.stopping) continue;
        }
        const blockMs = untilFinished ? UNTIL_FINISHED_BLOCK_MS : BLOCK_MS;
        const waited = await waiter.wait({
          worker: this.name,
          count: available,
          blockMs,
          after: this.lastDelivered,
          ttlMs: this.docket.executionTtl,
          ahead: this.outcomes!.take(),
        });
        this.noteDelivered(waited);
        for (const run of waited.runs) {
          // Only the same run is skipped: a replace or a retry comes as another message and runs at once.
          if (this.isActive(run.key, run.id)) continue;
          this.launch(run);
          launched = true;
        }
        idle = waited.read < available;
        if (waited.read === 0 && untilFinished && this.live.size === 0) {
          await this.upkeep!.moveDue();
          await this.outcomes!.settled();
          if (!(await store.hasWork())) return;
        }
        backoff = 100;
      } catch (err) {
        if (this.stopping) return;
        if (isNoGroup(err)) {
          await store.ensureGroup();
          continue;
        }
        // The connection closed under a wait whose first commands were answered; it is back, or
        // its reconnect holds the next wait until it is.
        if (isAborted(err)) continue;
        this.logger.warn(`Worker ${this.name}: reading from the stream failed (${String(err)}); retrying in ${backoff} ms`);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private async claim(deliveries: Delivery[]): Promise<void> {
    // Neither a run still going nor one whose outcome is still on its way is started again.
    const fresh = deliveries.filter((d) => !this.isActive(d.key, d.id) && !this.outcomes!.has(d.id));
    const runs = await this.store!.claim(fresh, this.name, Date.now(), this.docket.executionTtl);
    // Another fetch may have started one of them, or it may have finished, while this claim was on its way.
    for (const run of runs) if (!this.isActive(run.key, run.id) && !this.outcomes!.has(run.id)) this.launch(run);
  }

  /**
   * True while the run of stream message `messageId` (under `key`) is running here. Runs are told
   * apart by message, not generation: a retry keeps its generation but comes as a new message.
   */
  private isActive(key: string, messageId: string): boolean {
    return this.active.get(key)?.run.id === messageId;
  }

  /** Reads come in stream order, each after the last: the last id read is the highest. */
  private noteDelivered(fetched: Fetched): void {
    if (fetched.lastId) this.lastDelivered = fetched.lastId;
  }

  private launch(run: ClaimedRun): void {
    this.site ??= { docket: this.docket, store: this.store!, worker: this.name, leaseMs: this.options.redeliveryTimeout, logger: this.logger };
    const active = startRun(this.site, run);
    this.active.set(run.key, active);
    this.live.add(active);
    void active.done.then((completion) => {
      this.live.delete(active);
      if (this.active.get(run.key) === active) this.active.delete(run.key);
      if (completion && !active.abandoned) this.outcomes!.add(completion);
      const wake = this.slotFreed;
      this.slotFreed = undefined;
      wake?.();
    });
  }

  private cancelLocal(key: string): void {
    const active = this.active.get(key);
    if (!active || active.cancellation.aborted) return;
    this.logger.log(`Cancelling running task ${active.run.task}{${key}}`);
    active.cancellation.abort(new ExecutionCancelledError(key));
  }

  /** Re-claims this consumer's delivered messages it is not running (at start, and after a reconnect). */
  private async recoverOwn(): Promise<void> {
    if (this.stopping || !this.waiter) return;
    await this.upkeep?.recoverOwn();
  }

  private shutdown(drainTimeout: number): Promise<void> {
    this.shuttingDown ??= this.drainAndClose(drainTimeout);
    return this.shuttingDown;
  }

  private async drainAndClose(drainTimeout: number): Promise<void> {
    this.stopping = true;
    this.upkeep?.stop();
    if (this.live.size > 0) {
      this.logger.log(`Worker ${this.name}: finishing ${this.live.size} running task(s) (up to ${drainTimeout} ms)`);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeout)));
      await Promise.race([Promise.all([...this.live].map((a) => a.done)), deadline]);
      clearTimeout(timer);
      for (const active of this.live) {
        active.abandoned = true;
        active.cancellation.abort(new Error(`Worker ${this.name} stopped; the task will be redelivered`));
        this.logger.warn(`Worker ${this.name}: left ${active.run.task}{${active.run.key}} to redelivery`);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    await this.outcomes?.drain();
    this.unlistenCancel?.();
    const store = this.store;
    if (store) {
      await store.removeWorker(this.name).catch(() => undefined);
      await closeConnection(store.client);
    }
    this.waiter?.disconnect();
    this.store = undefined;
    this.site = undefined;
    this.waiter = undefined;
  }
}
