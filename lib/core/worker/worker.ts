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
import type { StreamWaiter, WorkerStore } from '../store';
import type { DocketLogger } from '../util/logger';
import { ClaimLoop, type LoopEnd } from './claim-loop';
import { OutcomeWriter } from './outcome-writer';
import { RunTracker } from './run-tracker';
import { checkDelay, resolveWorkerOptions, type ResolvedWorkerOptions, type StopOptions, type WorkerOptions } from './worker.options';
import { WorkerUpkeep } from './worker-upkeep';
import { observeDepths, observeRunning } from '../telemetry/docket-metrics';
import { settledBy } from '../util/deadline';

/** How long past its drainTimeout a stop may take, whatever the store does (a paused Redis, say). */
const STOP_MARGIN_MS = 1_000;

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
  private readonly runs = new RunTracker();
  private store?: WorkerStore;
  private waiter?: StreamWaiter;
  private claims?: ClaimLoop;
  private loop?: Promise<void>;
  private starting?: Promise<void>;
  private shuttingDown?: Promise<void>;
  private stopping = false;
  private stopped?: Promise<void>;
  private upkeep?: WorkerUpkeep;
  /** Stops the gauges reporting this worker and its docket. */
  private releaseDepths?: () => void;
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
    return this.runs.size;
  }

  /**
   * Runs until {@link Worker.stop} is called.
   *
   * @example
   * void worker.runForever();
   */
  async runForever(): Promise<void> {
    if (!(await this.begin())) return;
    this.loop = this.claims!.run('stopped');
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
    return this.runUntil('finished');
  }

  /**
   * @internal Runs until nothing is due, queued or running, then stops: work scheduled for later
   * stays where it is (the docket tester's run, which moves a memory clock instead of waiting).
   */
  async runUntilIdle(): Promise<void> {
    return this.runUntil('idle');
  }

  private async runUntil(end: LoopEnd): Promise<void> {
    if (!(await this.begin())) return;
    this.loop = this.claims!.run(end);
    await this.loop;
    const { drainTimeout } = this.options;
    await this.shutdown(drainTimeout, Date.now() + drainTimeout + STOP_MARGIN_MS);
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
    this.stopped ??= this.halt(checkDelay('drainTimeout', options.drainTimeout ?? this.options.drainTimeout));
    return this.stopped;
  }

  /** Stops within `drainTimeout` plus {@link STOP_MARGIN_MS}, whatever the store does meanwhile. */
  private async halt(drainTimeout: number): Promise<void> {
    const deadline = Date.now() + drainTimeout + STOP_MARGIN_MS;
    this.stopping = true;
    // A stop during start-up waits for it, so nothing it opens outlives the stop.
    await settledBy(deadline, this.starting);
    this.runs.wake();
    await settledBy(deadline, this.waiter?.end());
    await settledBy(deadline, this.loop);
    await this.shutdown(drainTimeout, deadline);
  }

  /** Starts the worker; false when it was stopped meanwhile (and is now shut down). */
  private async begin(): Promise<boolean> {
    this.starting = this.start();
    await this.starting;
    if (!this.stopping) return true;
    // Stopped while starting: what the start opened, perhaps after the stop gave up waiting, is closed.
    await this.shutdown(0, Date.now() + STOP_MARGIN_MS);
    await this.closeConnections(Date.now() + STOP_MARGIN_MS);
    return false;
  }

  private async start(): Promise<void> {
    const { backend } = this.docket;
    const store = (this.store = await backend.openWorkerStore());
    const outcomes = (this.outcomes = new OutcomeWriter(store, this.docket.executionTtl, this.logger, this.name));
    const waiter = (this.waiter = await backend.openStreamWaiter(store));
    const { docket, options, logger, runs } = this;
    const running = (): boolean => !this.stopping;
    const upkeep: WorkerUpkeep = (this.upkeep = new WorkerUpkeep({ docket, options, runs, running, claim: (d) => claims.claim(d) }, store, logger));
    const claims: ClaimLoop = (this.claims = new ClaimLoop({ docket, options, logger, store, waiter, runs, outcomes, running, moveDue: () => upkeep.moveDue() }));
    // A reconnect of either connection may have lost the answer to a claim: what Redis claimed
    // for this worker then waits in its pending list, and is taken up again.
    waiter.onReconnect(() => void this.recoverOwn());
    store.onReconnect(() => void this.recoverOwn());
    await store.ensureGroup();
    this.unlistenCancel = await this.docket.hub().listen(this.docket.keys.cancelChannel, {
      onMessage: (key) => this.runs.cancel(key, this.logger),
    });
    // Strikes are known before the first claim, and followed from then on.
    await this.docket.strikeList().ready();
    await this.recoverOwn();
    await upkeep.start();
    // Read through the producer's connection, which fails fast: a collection during an outage
    // reports nothing instead of waiting for Redis to come back.
    const unobserveDepths = observeDepths(docket.name, () => docket.depths());
    const unobserveRunning = observeRunning(docket.name, this.name, () => this.runs.size);
    this.releaseDepths = () => {
      unobserveDepths();
      unobserveRunning();
    };
    this.logger.log(`Worker ${this.name} started on docket "${this.docket.name}" with tasks: ${this.docket.tasks.names().join(', ') || '(none)'}`);
  }

  /** Re-claims this consumer's delivered messages it is not running (at start, and after a reconnect). */
  private async recoverOwn(): Promise<void> {
    if (this.stopping || !this.waiter) return;
    await this.upkeep?.recoverOwn();
  }

  private shutdown(drainTimeout: number, deadline: number): Promise<void> {
    this.shuttingDown ??= this.drainAndClose(drainTimeout, deadline);
    return this.shuttingDown;
  }

  private async drainAndClose(drainTimeout: number, deadline: number): Promise<void> {
    this.stopping = true;
    this.upkeep?.stop();
    await this.runs.drain(Math.min(drainTimeout, Math.max(0, deadline - Date.now())), this.name, this.logger);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.outcomes && !(await settledBy(deadline, this.outcomes.drain()))) {
      this.outcomes.close();
      this.logger.warn(`Worker ${this.name}: stopped before every outcome was recorded; those runs are left to redelivery`);
    }
    this.unlistenCancel?.();
    await this.closeConnections(deadline);
  }

  /** Closes the worker's connections; the heartbeat's removal waits until `deadline` at most. */
  private async closeConnections(deadline: number): Promise<void> {
    this.releaseDepths?.();
    this.releaseDepths = undefined;
    const store = this.store;
    this.store = undefined;
    if (store) {
      await settledBy(deadline, store.removeWorker(this.name));
      await store.close();
    }
    this.waiter?.disconnect();
    this.claims = undefined;
    this.waiter = undefined;
  }
}
