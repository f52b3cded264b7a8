/**
 * The outcomes of a worker's runs on their way to Redis. Outcomes that arrive within one turn of
 * the event loop are written together, in one script call; an idle worker takes them instead to
 * send in the same write as its next wait (see WorkerStore.waitAndClaim). A failed write is
 * retried with backoff, so no outcome is dropped, and {@link OutcomeWriter.drain} waits for all.
 */
import type { DocketLogger } from '../util/logger';
import type { Completion, OutcomesAhead, WorkerStore } from '../store';

/** How many recorded runs' messages a worker remembers (see OutcomeWriter.has). */
const RECORDED_KEPT = 10_000;

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

  /** Waits until every outcome, including those queued meanwhile, is written. */
  async drain(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  private track(write: Promise<void>, isFlush: boolean): void {
    if (isFlush) this.flushing = write;
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async flush(): Promise<void> {
    let delay = 100;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.flushing = undefined;
      try {
        await this.store.complete(batch, Date.now(), this.ttlMs);
        this.recorded(batch);
        delay = 100;
      } catch (err) {
        // The connection waits out outages itself; this is a failure of the write: try again.
        this.logger.warn(`Worker ${this.worker}: recording ${batch.length} outcome(s) failed (${String(err)}); retrying in ${delay} ms`);
        this.pending.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
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
