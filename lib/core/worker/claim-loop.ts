/**
 * A worker's claim loop: fetches due messages, claims them and starts their runs, as many at a
 * time as the worker's concurrency leaves room for.
 *
 * Round trips are kept few. Busy, one script reads and claims; idle, one blocking read waits on
 * the stream with the claim pipelined behind it, and with the outcomes of runs that just ended
 * written in the same write. A run's outcome goes to the outcome writer, which batches them.
 */
import type { Docket } from '../producer/docket';
import type { ClaimedRun, Delivery, Fetched, StreamWaiter, WorkerStore } from '../store';
import type { DocketLogger } from '../util/logger';
import type { OutcomeWriter } from './outcome-writer';
import type { RunTracker } from './run-tracker';
import type { RunSite } from './run-site';
import { startRun } from './task-runner';
import { WORKER_TTL_MS, type ResolvedWorkerOptions } from './worker.options';

const BLOCK_MS = 1_000;
const UNTIL_FINISHED_BLOCK_MS = 100;

/** What the loop works with: the worker's store, wait, runs and outcomes. */
export interface LoopParts {
  readonly docket: Docket;
  readonly options: ResolvedWorkerOptions;
  readonly logger: DocketLogger;
  readonly store: WorkerStore;
  readonly waiter: StreamWaiter;
  readonly runs: RunTracker;
  readonly outcomes: OutcomeWriter;
  /** False once the worker is stopping: the loop ends. */
  running(): boolean;
  /** Moves due scheduled work to the stream (for a loop that runs until nothing is left). */
  moveDue(): Promise<void>;
}

/** When a loop ends by itself: never ('stopped'), with no work left ('finished'), with none due ('idle'). */
export type LoopEnd = 'stopped' | 'finished' | 'idle';

export class ClaimLoop {
  /** The highest stream id this worker has read (new messages come after it). */
  private lastDelivered = '0-0';
  /** Where runs start. */
  private readonly site: RunSite;

  constructor(private readonly parts: LoopParts) {
    const { docket, store, options, logger } = parts;
    const fallback = options.fallback === undefined ? undefined : docket.tasks.resolve(options.fallback);
    this.site = { docket, store, worker: options.name, leaseMs: options.redeliveryTimeout, logger, fallback, unknownTaskTimeout: options.unknownTaskTimeout };
  }

  /**
   * Claims and runs until the worker stops (`until` 'stopped'), until no work is left
   * ('finished': future work is waited for), or until nothing is due or running ('idle': work
   * scheduled for later stays, for a test that moves a memory clock).
   */
  async run(until: LoopEnd): Promise<void> {
    const untilFinished = until !== 'stopped';
    const { store, waiter, runs, outcomes, options, docket } = this.parts;
    const worker = options.name;
    let backoff = 100;
    // After a wait that brought less than it could take, the stream is known to be empty: the
    // next fetch waits again at once instead of first asking the busy worker's script.
    let idle = false;
    // Runs started by the last wait: the next one lets them finish their turn first.
    let launched = false;
    while (this.parts.running()) {
      if (idle && launched) {
        // Tasks that finish within this turn have their outcomes written in the same write as
        // the next wait, instead of the wait going out ahead of them in a write of its own.
        launched = false;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const available = options.concurrency - runs.size;
      if (available <= 0) {
        await runs.nextSlot();
        continue;
      }
      try {
        // Busy: one script reads and claims. Idle: block on the stream with the claim pipelined
        // behind the read, so what arrives is claimed without another round trip.
        if (!idle) {
          const next = await store.claimNext(worker, available, Date.now(), docket.executionTtl);
          this.noteDelivered(next);
          for (const run of next.runs) this.launch(run);
          if (next.read > 0 || !this.parts.running()) continue;
          if (until === 'idle' && runs.size === 0 && !(await this.workLeft(until))) return;
        }
        const waited = await waiter.wait({
          worker,
          count: available,
          blockMs: untilFinished ? UNTIL_FINISHED_BLOCK_MS : BLOCK_MS,
          after: this.lastDelivered,
          ttlMs: docket.executionTtl,
          ahead: outcomes.take(),
        });
        this.noteDelivered(waited);
        for (const run of waited.runs) {
          // Only the same run is skipped: a replace or a retry comes as another message and runs at once.
          if (runs.isActive(run.key, run.id)) continue;
          this.launch(run);
          launched = true;
        }
        idle = waited.read < available;
        if (waited.read === 0 && untilFinished && runs.size === 0) {
          if (!(await this.workLeft(until))) return;
        }
        backoff = 100;
      } catch (err) {
        if (!this.parts.running()) return;
        if (store.isMissingGroup(err)) {
          await store.ensureGroup();
          continue;
        }
        // The connection closed under a wait whose first commands were answered; it is back, or
        // its reconnect holds the next wait until it is.
        if (store.isInterrupted(err)) continue;
        this.parts.logger.warn(`Worker ${worker}: reading from the stream failed (${String(err)}); retrying in ${backoff} ms`);
        await new Promise((resolve) => setTimeout(resolve, backoff).unref());
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Claims and starts deliveries taken over or recovered outside the loop. */
  async claim(deliveries: Delivery[]): Promise<void> {
    const { store, runs, outcomes, options, docket } = this.parts;
    // Neither a run still going nor one whose outcome is still on its way is started again.
    const fresh = deliveries.filter((d) => !runs.isActive(d.key, d.id) && !outcomes.has(d.id));
    const claimed = await store.claim(fresh, options.name, Date.now(), docket.executionTtl);
    // Another fetch may have started one of them, or it may have finished, while this claim was on its way.
    for (const run of claimed) if (!runs.isActive(run.key, run.id) && !outcomes.has(run.id)) this.launch(run);
  }

  /**
   * Whether a loop that ends by itself has more to do, once due work was moved and outcomes
   * written: any work at all ('finished'), or work due or running now ('idle').
   */
  private async workLeft(until: LoopEnd): Promise<boolean> {
    const { store, docket, outcomes } = this.parts;
    await this.parts.moveDue();
    await outcomes.settled();
    if (until !== 'idle') return store.hasWork();
    const depths = await store.depths(docket.backend.now(), WORKER_TTL_MS);
    return depths.queued > 0 || depths.running > 0;
  }

  /** Reads come in stream order, each after the last: the last id read is the highest. */
  private noteDelivered(fetched: Fetched): void {
    if (fetched.lastId) this.lastDelivered = fetched.lastId;
  }

  private launch(run: ClaimedRun): void {
    const active = startRun(this.site, run);
    this.parts.runs.track(active, (completion) => {
      if (completion && !active.abandoned) this.parts.outcomes.add(completion);
    });
  }
}
