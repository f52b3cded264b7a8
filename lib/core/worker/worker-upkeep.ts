/**
 * A worker's upkeep beside its main loop: moving due work to the stream, renewing the leases of
 * what it runs, the fleet-wide redelivery sweep, heartbeats, and re-claiming its own messages
 * after a lost reply. Each duty runs on its own timer; a failure is logged and tried again at the
 * next tick.
 */
import type { Docket } from '../producer/docket';
import type { Delivery, WorkerStore } from '../store';
import type { DocketLogger } from '../util/logger';
import type { RunTracker } from './run-tracker';
import { WORKER_TTL_MS, type ResolvedWorkerOptions } from './worker.options';

const DUE_BATCH = 1_000;

/** How often a worker seeds again the automatic perpetual tasks that have no live run. */
export const PERPETUAL_RESEED_MS = 60_000;

/** What the upkeep needs of its worker. */
export interface UpkeepHost {
  readonly docket: Docket;
  readonly options: ResolvedWorkerOptions;
  /** The runs going on in the worker. */
  readonly runs: RunTracker;
  /** False once the worker is stopping: timers no longer tick. */
  running(): boolean;
  /** Claims and starts deliveries (taken over or recovered). */
  claim(deliveries: Delivery[]): Promise<void>;
}

export class WorkerUpkeep {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly host: UpkeepHost,
    private readonly store: WorkerStore,
    private readonly logger: DocketLogger,
  ) {}

  /** Starts every duty's timer and sends the first heartbeat. */
  async start(): Promise<void> {
    const { schedulingResolution, redeliveryTimeout, heartbeatInterval } = this.host.options;
    this.every('moving due work to the stream', schedulingResolution, () => this.moveDue());
    this.every('renewing leases', redeliveryTimeout / 4, () => this.renewLeases());
    this.every('sweeping for abandoned work', redeliveryTimeout / 4, () => this.sweep(), true);
    await this.heartbeat();
    this.every('sending a heartbeat', heartbeatInterval, () => this.heartbeat());
    if (this.automaticTasks().length > 0) {
      await this.seedPerpetuals().catch((err: unknown) => this.logger.warn(`Worker ${this.host.options.name}: seeding automatic perpetual tasks failed (${String(err)}); trying again in ${PERPETUAL_RESEED_MS} ms`));
      this.every('seeding automatic perpetual tasks', PERPETUAL_RESEED_MS, () => this.seedPerpetuals(), true);
    }
  }

  /**
   * Adds a run of each automatic perpetual task under its name as key, now, unless one is
   * scheduled, queued or running (an add under a key leaves a live run alone, atomically, so the
   * workers of a fleet can all do this at once). A struck task is not added.
   */
  async seedPerpetuals(): Promise<void> {
    const { docket } = this.host;
    const now = docket.backend.now();
    await Promise.all(
      this.automaticTasks().map((name) => {
        const first = docket.tasks.get(name)?.recurrence?.first(now) ?? now;
        return docket.add(name, { key: name, when: new Date(first) })();
      }),
    );
  }

  private automaticTasks(): string[] {
    const { tasks } = this.host.docket;
    return tasks.names().filter((name) => tasks.get(name)?.recurrence?.automatic);
  }

  /** Stops every timer. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /** Moves every due scheduled execution to the stream. */
  async moveDue(): Promise<void> {
    while ((await this.store.streamDue(Date.now(), DUE_BATCH, this.host.docket.executionTtl)) === DUE_BATCH && this.host.running());
  }

  /** Re-claims messages already delivered to this consumer that it is not running (after a lost reply). */
  async recoverOwn(): Promise<void> {
    const delivered = await this.store.ownPending(this.host.options.name, 1000).catch((): Delivery[] => []);
    const orphans = delivered.filter((d) => !this.host.runs.isActive(d.key, d.id));
    if (orphans.length > 0) await this.host.claim(orphans);
  }

  private every(what: string, intervalMs: number, fn: () => Promise<void>, jitter = false): void {
    const tick = (): void => {
      if (!this.host.running()) return;
      const delay = jitter ? intervalMs * (0.75 + Math.random() * 0.5) : intervalMs;
      const timer = setTimeout(() => {
        this.timers = this.timers.filter((t) => t !== timer);
        fn()
          .catch((err: unknown) => {
            // A duty cut short by the stop closing the connection is not tried again: nothing to say.
            if (this.host.running()) this.logger.warn(`Worker ${this.host.options.name}: ${what} failed (${String(err)}); trying again in ${Math.round(intervalMs)} ms`);
          })
          .finally(tick);
      }, delay);
      this.timers.push(timer);
    };
    tick();
  }

  private async renewLeases(): Promise<void> {
    await this.store.renewLeases(this.host.options.name, this.host.runs.messageIds(), this.host.runs.places(), this.host.options.redeliveryTimeout);
  }

  private async sweep(): Promise<void> {
    const { options } = this.host;
    const { name } = options;
    const available = options.concurrency - this.host.runs.size;
    if (available <= 0) return;
    const { redeliveryTimeout } = options;
    const found = await this.store.sweep(name, redeliveryTimeout, available, Math.max(1_000, redeliveryTimeout));
    if (found.length > 0) {
      this.logger.warn(`Worker ${name}: taking over ${found.length} execution(s) abandoned for over ${redeliveryTimeout} ms`);
      await this.host.claim(found);
    }
  }

  private async heartbeat(): Promise<void> {
    const { docket, options } = this.host;
    await this.store.heartbeat({ name: options.name, lastSeen: new Date(), tasks: docket.tasks.names(), concurrency: options.concurrency }, WORKER_TTL_MS);
  }
}
