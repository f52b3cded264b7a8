import { afterThisTurn } from '../util/turn';

/**
 * The last known progress of an execution.
 *
 * @example
 * const { current, total } = execution.progress;
 */
export interface ProgressSnapshot {
  readonly current: number;
  readonly total: number;
  readonly message: string | null;
  readonly updatedAt?: Date;
}

/**
 * The progress of one running execution, as its task reports it.
 *
 * Reads (`current`, `total`, `message`) are local and instant. Writes update the local values at
 * once and reach Redis coalesced: an update is written at the end of the current turn (after the
 * promise continuations it sets off, so `await increment(); await setMessage(m)` is one write;
 * updates separated by I/O or a timer are not), and while a write is in flight (or within
 * `minIntervalMs` of the last one) further updates are folded into one write of the latest
 * values. So a task may call `increment()` once per item: each execution has at most one progress
 * write in flight, and because every write carries absolute values, the last one is always exact.
 *
 * @example
 * async processBatch(items: string[], @Progress() progress: ExecutionProgress) {
 *   await progress.setTotal(items.length);
 *   for (const item of items) { await handle(item); await progress.increment(); }
 * }
 */
export class ExecutionProgress {
  private currentValue = 0;
  private totalValue = 100;
  private messageValue: string | null = null;
  private dirty = false;
  private closed = false;
  private lastWrite = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate = false;

  /** @internal Created by the worker for each run. */
  constructor(
    private readonly write: (current: number, total: number, message: string | null) => Promise<void>,
    private readonly minIntervalMs = 0,
  ) {}

  /** Items done so far. */
  get current(): number {
    return this.currentValue;
  }

  /** Items in all (100 until the task sets it). */
  get total(): number {
    return this.totalValue;
  }

  /** The latest status message, or null. */
  get message(): string | null {
    return this.messageValue;
  }

  /** Sets how many items there are in all. */
  setTotal(total: number): Promise<void> {
    this.assertCount('total', total);
    this.totalValue = total;
    return this.changed();
  }

  /** Adds `amount` (default 1) to the items done. */
  increment(amount = 1): Promise<void> {
    this.assertCount('amount', amount);
    this.currentValue += amount;
    return this.changed();
  }

  /** Sets the items done to an absolute value. */
  setCurrent(current: number): Promise<void> {
    this.assertCount('current', current);
    this.currentValue = current;
    return this.changed();
  }

  /**
   * Sets (or with null, clears) the status message. It is kept as Redis stores it, so that live
   * events, snapshots and this property agree: any other value as its string, and a lone UTF-16
   * surrogate (which UTF-8 cannot carry) as U+FFFD.
   */
  setMessage(message: string | null): Promise<void> {
    this.messageValue = message === null || message === undefined ? null : String(message).replace(/\p{Cs}/gu, '\uFFFD');
    return this.changed();
  }

  /** Writes any pending update now and waits for it to land. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight || this.dirty) {
      if (this.inFlight) await this.inFlight;
      else this.writeNow();
    }
  }

  /** @internal Flushes and stops writing: the run is over. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private assertCount(name: string, value: number): void {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`Progress ${name} must be a finite number ≥ 0, got ${value}`);
    }
  }

  private changed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.dirty = true;
    if (this.inFlight || this.timer || this.immediate) return Promise.resolve();
    // Even the leading write waits for the end of the current turn, so that updates made
    // together (increment, then setMessage, one await apart) go out as one.
    this.scheduleWrite();
    return Promise.resolve();
  }

  private scheduleWrite(): void {
    const wait = this.lastWrite + this.minIntervalMs - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.onTimer(), wait);
      return;
    }
    this.immediate = true;
    afterThisTurn(() => {
      this.immediate = false;
      this.onTimer();
    });
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.dirty && !this.inFlight) this.writeNow();
  }

  private writeNow(): void {
    this.dirty = false;
    this.lastWrite = Date.now();
    this.inFlight = this.write(this.currentValue, this.totalValue, this.messageValue)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        if (this.dirty && !this.timer && !this.immediate && !this.closed) this.scheduleWrite();
      });
  }
}
