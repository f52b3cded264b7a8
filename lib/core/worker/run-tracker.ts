/**
 * The runs going on in one worker: the latest run of each key (to skip a message delivered
 * again while its run goes on, and to cancel by key) and every run, a replaced one too (its
 * message and place still need their leases renewed, and a stop waits for it).
 */
import { ExecutionCancelledError } from '../errors/docket.errors';
import type { Completion, Place } from '../store';
import { settledBy } from '../util/deadline';
import type { DocketLogger } from '../util/logger';
import type { ActiveRun } from './task-runner';

export class RunTracker {
  private readonly latest = new Map<string, ActiveRun>();
  private readonly live = new Set<ActiveRun>();
  private slotFreed?: () => void;

  /** How many runs are going on. */
  get size(): number {
    return this.live.size;
  }

  /**
   * True while the run of stream message `messageId` (under `key`) is going on here. Runs are
   * told apart by message, not generation: a retry keeps its generation but comes as a new message.
   */
  isActive(key: string, messageId: string): boolean {
    return this.latest.get(key)?.run.id === messageId;
  }

  /** Tracks `active` until it ends, then hands its completion (if any) to `ended` and frees its slot. */
  track(active: ActiveRun, ended: (completion: Completion | undefined) => void): void {
    const key = active.run.key;
    this.latest.set(key, active);
    this.live.add(active);
    void active.done.then((completion) => {
      this.live.delete(active);
      if (this.latest.get(key) === active) this.latest.delete(key);
      ended(completion);
      this.wake();
    });
  }

  /** Resolves once a run ends (or {@link RunTracker.wake} is called). */
  nextSlot(): Promise<void> {
    return new Promise<void>((resolve) => (this.slotFreed = resolve));
  }

  /** Wakes whoever waits for a slot. */
  wake(): void {
    const wake = this.slotFreed;
    this.slotFreed = undefined;
    wake?.();
  }

  /** The stream messages of the runs going on. */
  messageIds(): string[] {
    return [...this.live].map((a) => a.run.id);
  }

  /** The concurrency limit places the runs going on hold, by stream message. */
  places(): { id: string; place: Place }[] {
    return [...this.live].flatMap((a) => (a.place ? [{ id: a.run.id, place: a.place }] : []));
  }

  /** Aborts the running run of `key` with a cancellation, if there is one here. */
  cancel(key: string, logger: DocketLogger): void {
    const active = this.latest.get(key);
    if (!active || active.cancellation.aborted) return;
    logger.log(`Cancelling running task ${active.run.task}{${key}}`);
    active.cancellation.abort(new ExecutionCancelledError(key));
  }

  /**
   * Waits up to `drainTimeout` ms for every run to end, then abandons the ones still going: their
   * outcomes no longer count, and their messages are left to redelivery.
   */
  async drain(drainTimeout: number, worker: string, logger: DocketLogger): Promise<void> {
    if (this.live.size === 0) return;
    logger.log(`Worker ${worker}: finishing ${this.live.size} running task(s) (up to ${drainTimeout} ms)`);
    await settledBy(Date.now() + drainTimeout, Promise.all([...this.live].map((a) => a.done)));
    for (const active of this.live) {
      active.abandoned = true;
      active.cancellation.abort(new Error(`Worker ${worker} stopped; the task will be redelivered`));
      logger.warn(`Worker ${worker}: left ${active.run.task}{${active.run.key}} to redelivery`);
    }
  }
}
