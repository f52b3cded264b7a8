import { Observable, filter, firstValueFrom, map, of, takeUntil } from 'rxjs';
import {
  ExecutionCancelledError,
  ExecutionNotFoundError,
  DocketTaskError,
  TimeoutError,
} from '../errors/docket.errors';
import type { ExecutionRecord } from '../store';
import { executionEvents } from './execution-events';
import {
  carriedOutcome,
  type ExecutionEvent,
  type ExecutionProgressEvent,
  type ExecutionStateEvent,
} from './execution-event';
import type { ExecutionHost, ExecutionInit } from './execution-host';
import type { ProgressSnapshot } from './execution-progress';
import { Disposition, ExecutionState, isTerminal } from './execution-state.enum';
import type { InboxMark, RecordReading } from './result-inbox';
import { after } from '../util/long-timer';
import { resolveWait, type ResultOptions } from './result-options';

const EMPTY_PROGRESS: ProgressSnapshot = { current: 0, total: 0, message: null };

/**
 * One run of a task under a key: its state, progress and result, readable now (`sync()`),
 * live (`subscribe()`, `state$`, `progress$`) or awaited (`getResult()`).
 *
 * @typeParam R the task's result type
 * @example
 * const execution = await docket.add(processOrder)(12345);
 * execution.subscribe().subscribe((e) => console.log(e));
 * const total = await execution.getResult({ timeout: 30_000 });
 */
export class Execution<R = unknown> {
  /** The state as last read or written by this process. */
  state: ExecutionState;
  /** What the call that made this object did. */
  disposition: Disposition;
  /** The registered task name. */
  taskName: string;
  /** When it is (or was) due. */
  when: Date;
  worker?: string;
  startedAt?: Date;
  completedAt?: Date;
  /** `Name: message` of the failure, when FAILED. */
  error?: string;
  attempt = 1;
  /** While SCHEDULED for want of a place: the concurrency limit it waits for (`task` or `task:value`). */
  waitingFor?: string;
  progress: ProgressSnapshot = EMPTY_PROGRESS;
  /**
   * How a perpetual or cron task's runs repeat, in words (`every 30000 ms`,
   * `cron "0 9 * * 1-5" (Europe/Paris)`); absent for a one-off task.
   */
  recurrence?: string;
  /** For a perpetual or cron task's run: how the run before it ended, and when. */
  lastOutcome?: { state: ExecutionState; at: Date };
  private encodedArgs?: string;
  private outcome?: { result?: string; failure?: string };
  private readonly generation?: string;
  private readonly notAdded?: Error;
  private inbox?: InboxMark;

  /** @internal Made by the docket. */
  constructor(
    private readonly host: ExecutionHost,
    /** The execution's key, unique within its docket. */
    readonly key: string,
    init: ExecutionInit,
  ) {
    this.notAdded = init.notAdded;
    this.generation = init.generation;
    this.inbox = init.inbox;
    this.state = init.state;
    this.taskName = init.taskName;
    this.when = init.when;
    this.disposition = init.disposition ?? Disposition.LOADED;
    this.encodedArgs = init.args;
  }

  /** The arguments it was called with (decoded on first use). */
  get args(): unknown[] {
    return this.encodedArgs ? (this.host.codec.decode(this.encodedArgs) as unknown[]) : [];
  }

  /**
   * Re-reads state, worker, timestamps, error and progress from Redis.
   *
   * @throws ExecutionNotFoundError when the record is gone (never added, or expired).
   */
  async sync(): Promise<this> {
    // Struck: never written, and a record under its key is another execution's.
    if (this.notAdded !== undefined) return this;
    const record = await (await this.host.store()).read(this.key);
    if (!record) throw new ExecutionNotFoundError(this.key);
    this.apply(record);
    return this;
  }

  /** @internal Copies a record into this object. */
  apply(record: ExecutionRecord): void {
    this.state = record.state;
    this.taskName = record.task;
    this.when = new Date(record.when);
    this.worker = record.worker;
    this.startedAt = record.startedAt !== undefined ? new Date(record.startedAt) : undefined;
    this.completedAt = record.completedAt !== undefined ? new Date(record.completedAt) : undefined;
    this.error = record.error;
    this.attempt = record.attempt;
    this.waitingFor = record.waitingFor;
    this.encodedArgs = record.args;
    this.recurrence = record.recurrence;
    this.lastOutcome = record.lastOutcome && { state: record.lastOutcome.state, at: new Date(record.lastOutcome.at) };
    if (record.progress) {
      this.progress = { ...record.progress, updatedAt: new Date(record.progress.updatedAt) };
    }
    if (isTerminal(record.state)) this.outcome = { result: record.result, failure: record.failure };
  }

  /** @internal Copies an event into this object. */
  applyEvent(event: ExecutionEvent): void {
    if (event.type === 'progress') {
      this.progress = {
        current: event.current,
        total: event.total,
        message: event.message,
        updatedAt: event.updatedAt,
      };
      return;
    }
    this.state = event.state;
    const outcome = carriedOutcome(event);
    if (outcome) this.outcome = outcome;
    if (event.when) this.when = event.when;
    if (event.worker) this.worker = event.worker;
    if (event.startedAt) this.startedAt = event.startedAt;
    if (event.completedAt) this.completedAt = event.completedAt;
    // A retry's event carries the error that caused it; an attempt that completes clears it.
    if (event.error || event.state === ExecutionState.COMPLETED) this.error = event.error;
    if (event.attempt) this.attempt = event.attempt;
    this.waitingFor = event.waitingFor;
  }

  /**
   * Every event of this execution: first a snapshot of its current state (and progress, once
   * any was reported), then live events, gap-free and in sequence order. It completes after the
   * terminal state event. Cold and lazy: nothing touches Redis until subscribed; unsubscribing
   * releases the channel. All subscriptions of a process share one Redis connection.
   *
   * @example
   * execution.subscribe().subscribe({
   *   next: (e) => console.log(e.type === 'state' ? e.state : `${e.current}/${e.total}`),
   *   complete: () => console.log('done'),
   * });
   */
  subscribe(): Observable<ExecutionEvent> {
    // Never written: its one event is the cancellation the strike made of it.
    if (this.notAdded !== undefined) return of<ExecutionEvent>({ type: 'state', key: this.key, seq: 0, state: ExecutionState.CANCELLED });
    return executionEvents(this.host, this.key, this);
  }

  /**
   * State events only, snapshot first; completes after the terminal state.
   *
   * @example
   * execution.state$.subscribe((e) => console.log(e.state));
   */
  get state$(): Observable<ExecutionStateEvent> {
    return this.subscribe().pipe(filter((e): e is ExecutionStateEvent => e.type === 'state'));
  }

  /**
   * Progress events only; completes when the execution reaches a terminal state.
   *
   * @example
   * execution.progress$.subscribe((p) => bar.update(p.current / p.total));
   */
  get progress$(): Observable<ExecutionProgressEvent> {
    return this.subscribe().pipe(filter((e): e is ExecutionProgressEvent => e.type === 'progress'));
  }

  /**
   * The task's return value, waiting (on pub/sub, never polling) until the execution finishes.
   *
   * - COMPLETED: the value, with Dates, Maps, BigInts … intact (undefined when nothing was kept).
   * - FAILED: throws the original error class where known here, else a DocketTaskError.
   * - CANCELLED: throws ExecutionCancelledError.
   * - The timeout or deadline passes first: throws TimeoutError, or RedisUnavailableError when
   *   Redis cannot be reached then (the outcome may have come unheard).
   *
   * @example
   * try { const total = await execution.getResult({ timeout: 30_000 }); }
   * catch (e) { if (e instanceof TimeoutError) console.log('still running'); }
   */
  async getResult(options: ResultOptions = {}): Promise<R> {
    try {
      return await this.awaitResult(resolveWait(options));
    } catch (err) {
      // Timed out: with the store unreachable, the outcome may have come and gone unheard.
      if (err instanceof TimeoutError) await this.host.withStore((store) => store.ping());
      throw err;
    }
  }

  private async awaitResult(waitMs: number | undefined): Promise<R> {
    if (this.notAdded !== undefined) throw this.notAdded;
    const wait = waitMs === undefined ? undefined : Math.max(0, waitMs);
    const deadline = wait === undefined ? undefined : Date.now() + wait;
    let heard: ExecutionStateEvent | 'read' | 'unknown' = 'unknown';
    // The first getResult() opens the docket's inbox; adds sent from then on are awaited there.
    const inbox = this.host.resultInbox();
    if ((!isTerminal(this.state) || !this.outcome) && this.inbox && this.generation) {
      // Added by this docket with its result inbox live: the outcome comes there, no subscribe.
      const generation = this.generation;
      const readRecord = async (): Promise<RecordReading> => {
        const record = await (await this.host.store()).read(this.key);
        // Gone, or a later run under the key: only the per-execution path can tell.
        if (!record || record.generation !== generation) return 'unknown';
        if (!isTerminal(record.state)) return 'pending';
        this.apply(record);
        return 'read';
      };
      heard = await inbox.hear(this.key, generation, this.inbox, wait, readRecord);
      if (typeof heard === 'object') this.applyEvent(heard);
      // Superseded, or events may have been lost: from now on this run is awaited the other way.
      if (heard === 'unknown') this.inbox = undefined;
    }
    if (heard === 'unknown' && (!isTerminal(this.state) || !this.outcome)) {
      const remaining = deadline === undefined ? undefined : deadline - Date.now();
      const terminal = this.state$.pipe(
        filter((e) => isTerminal(e.state)),
        map((e) => e.state),
      );
      const state = await firstValueFrom(remaining === undefined ? terminal : terminal.pipe(takeUntil(after(Math.max(0, remaining)))), { defaultValue: undefined });
      if (state === undefined) throw new TimeoutError(this.key, Math.max(0, waitMs ?? 0));
      this.state = state;
    }
    if (this.state === ExecutionState.CANCELLED) throw new ExecutionCancelledError(this.key);
    if (!this.outcome) {
      this.outcome = await (await this.host.store()).readOutcome(this.key);
    }
    if (this.state === ExecutionState.FAILED) {
      if (this.outcome.failure) throw this.host.errorCodec.fromStored(this.outcome.failure, this.error ?? `Execution "${this.key}" failed`);
      throw new DocketTaskError('Error', this.error ?? `Execution "${this.key}" failed`);
    }
    return (this.outcome.result === undefined ? undefined : this.host.codec.decode(this.outcome.result)) as R;
  }

}
