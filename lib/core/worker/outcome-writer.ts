/**
 * The outcomes of a worker's runs on their way to Redis. Outcomes that arrive within one turn of
 * the event loop are written together, in one script call; an idle worker takes them instead to
 * send in the same write as its next wait (see the stream waiter). {@link OutcomeWriter.drain}
 * waits for all.
 *
 * A failed write never holds up other outcomes: each outcome of the batch is then written on its
 * own, retried with backoff while the connection is down or the store cannot take writes for now
 * (out of memory, read-only, loading), but only {@link REFUSALS_KEPT} times when the store
 * refuses the write itself (too large for the server, say); then it is recorded as FAILED saying why, or, if even that is refused,
 * quarantined. An outcome that cannot be written at all is left unacknowledged, to redelivery.
 */
import { ExecutionState } from '../execution/execution-state.enum';
import type { Completion, OutcomesAhead, WorkerStore } from '../store';
import type { DocketLogger } from '../util/logger';

/** How many recorded runs' messages a worker remembers (see OutcomeWriter.has). */
const RECORDED_KEPT = 10_000;
/** How many times an outcome the store refuses is tried before it is recorded FAILED. */
const REFUSALS_KEPT = 4;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

export class OutcomeWriter {
  private pending: Completion[] = [];
  private flushing?: Promise<void>;
  private readonly writes = new Set<Promise<void>>();
  /**
   * The stream messages of runs whose outcome is not recorded yet: a reconnect's recovery must
   * not start them again. (A retry of the same generation comes as another message.)
   */
  private readonly unrecorded = new Set<string>();
  /**
   * The stream messages of the runs whose outcome was recorded lately, oldest first. A recovery
   * (after a reconnect) can claim a run in Redis just before its outcome is recorded; answered
   * after, it must not start the run again.
   */
  private readonly recordedLately = new Set<string>();
  /** Set by close(): writes still failing then are given up (their runs go to redelivery). */
  private closed = false;

  constructor(
    private readonly store: WorkerStore,
    private readonly ttlMs: number,
    private readonly logger: DocketLogger,
    private readonly worker: string,
  ) {}

  /** Queues an outcome; the ones that arrive in the same turn are written in one call. */
  add(completion: Completion): void {
    this.unrecorded.add(completion.messageId);
    this.pending.push(completion);
    if (this.flushing) return;
    this.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush()), true);
  }

  /**
   * Takes the outcomes waiting for their write, to go out with the next wait. A failed write
   * puts them back on the usual path, which retries.
   */
  take(): OutcomesAhead | undefined {
    if (this.pending.length === 0) return undefined;
    const batch = this.pending;
    this.pending = [];
    this.flushing = undefined;
    let settled!: (err: Error | null) => void;
    this.track(
      new Promise<void>((resolve) => {
        let done = false;
        settled = (err) => {
          // Once: a cluster pipeline retried after "Connection is closed." answers its commands again.
          if (done) return;
          done = true;
          if (err) {
            // A lost connection is logged by the connection itself.
            if (!this.store.isTransient(err)) this.logger.warn(`Worker ${this.worker}: recording ${batch.length} outcome(s) failed (${String(err)}); retrying`);
            for (const completion of batch) this.add(completion);
          } else this.recorded(batch);
          resolve();
        };
      }),
      false,
    );
    return { batch, now: Date.now(), settled };
  }

  /**
   * True while the outcome of the run of stream message `messageId` is queued or being written,
   * or once it was recorded lately: either way the run is not to be started again here.
   */
  has(messageId: string): boolean {
    return this.unrecorded.has(messageId) || this.recordedLately.has(messageId);
  }

  /** Waits for the writes in flight now. */
  async settled(): Promise<void> {
    await Promise.all(this.writes);
  }

  /** Waits until every outcome, including those queued meanwhile, is written (or given up). */
  async drain(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  /** Gives up the outcomes still failing: their messages stay pending, for redelivery. */
  close(): void {
    this.closed = true;
  }

  private track(write: Promise<void>, isFlush: boolean): void {
    if (isFlush) this.flushing = write;
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.flushing = undefined;
      try {
        await this.store.complete(batch, Date.now(), this.ttlMs);
        this.recorded(batch);
      } catch (err) {
        // Each on its own from here: one the store refuses must not hold up the others.
        this.logger.warn(`Worker ${this.worker}: recording ${batch.length} outcome(s) failed (${String(err)}); retrying each on its own`);
        for (const completion of batch) this.track(this.writeAlone(completion, err), false);
      }
    }
  }

  /** Writes one outcome whose write failed with `err`, as the file comment says. */
  private async writeAlone(completion: Completion, err: unknown): Promise<void> {
    const run = `${completion.key} (message ${completion.messageId})`;
    let refusals = 0;
    for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
      if (this.store.isRefused(err) && ++refusals >= REFUSALS_KEPT) break;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (this.closed) return this.giveUp(completion, run);
      try {
        await this.store.complete([completion], Date.now(), this.ttlMs);
        return this.recorded([completion]);
      } catch (next) {
        err = next;
      }
    }
    const reason = `the store refused it ${refusals} times: ${String(err).slice(0, 500)}`;
    this.logger.error(`Worker ${this.worker}: ${run}: ${reason}; recording it as FAILED`);
    const failed: Completion = { ...completion, outcome: ExecutionState.FAILED, result: '', failure: '', retryAt: undefined, errorSummary: `OutcomeRefusedError: ${reason}` };
    try {
      await this.store.complete([failed], Date.now(), this.ttlMs);
      return this.recorded([completion]);
    } catch {
      // Refused again: moved aside, with its message acknowledged.
    }
    try {
      await this.store.quarantineOutcome(completion, reason, Date.now(), this.ttlMs);
      return this.recorded([completion]);
    } catch (last) {
      this.logger.error(`Worker ${this.worker}: quarantining the outcome of ${run} failed too (${String(last)})`);
      return this.giveUp(completion, run);
    }
  }

  /** Drops an outcome that cannot be written: its message stays pending, and another worker runs it again. */
  private giveUp(completion: Completion, run: string): void {
    this.unrecorded.delete(completion.messageId);
    this.logger.warn(`Worker ${this.worker}: gave up recording the outcome of ${run}; it is left to redelivery`);
  }

  private recorded(batch: readonly Completion[]): void {
    for (const completion of batch) {
      this.unrecorded.delete(completion.messageId);
      this.recordedLately.add(completion.messageId);
    }
    for (const id of this.recordedLately) {
      if (this.recordedLately.size <= RECORDED_KEPT) break;
      this.recordedLately.delete(id);
    }
  }
}
