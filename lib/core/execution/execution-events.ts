/**
 * The gap-free event stream of one execution, behind `Execution.subscribe()`: subscribe to its
 * channel first, then read the record, emit the snapshot, then the live events held meanwhile
 * and after, each only if its sequence number is newer than the last one emitted. After a
 * reconnect the record is read again; the stream completes after the terminal state.
 */
import { Observable, type Subscriber } from 'rxjs';
import { ExecutionNotFoundError } from '../errors/docket.errors';
import { parseEvent, stripUndefined, type ExecutionEvent, type ExecutionStateEvent } from './execution-event';
import { isTerminal } from './execution-state.enum';
import type { ExecutionRecord, Listener } from '../store';
import type { ExecutionHost } from './execution-host';

/** Where the stream reports what it read and heard, so the Execution object stays current. */
export interface EventSink {
  apply(record: ExecutionRecord): void;
  applyEvent(event: ExecutionEvent): void;
}

/** The events of execution `key`: snapshot first, then live; cold, and completes at the end. */
export function executionEvents(host: ExecutionHost, key: string, apply: EventSink): Observable<ExecutionEvent> {
  return new Observable<ExecutionEvent>((subscriber) => {
    const stream = new ExecutionStream(host, key, apply, subscriber);
    stream.start();
    return stream;
  });
}

/**
 * One subscription's state, as one object whose methods are the channel listener and the
 * teardown: a process may hold tens of thousands of these (docs/performance.md, "Many
 * watchers"), and a closure per callback would cost each one several hundred bytes more.
 */
class ExecutionStream implements Listener {
  private lastSeq = 0;
  private live = false;
  private closed = false;
  // Every field is set here, so that V8 keeps them in the object itself.
  private release: (() => void) | undefined = undefined;
  /** Events heard before the snapshot was read (made on the first one). */
  private pending: ExecutionEvent[] | undefined = undefined;

  constructor(
    private readonly host: ExecutionHost,
    private readonly key: string,
    private readonly sink: EventSink,
    private readonly subscriber: Subscriber<ExecutionEvent>,
  ) {}

  start(): void {
    this.host
      .hub()
      .listen(this.host.keys.events(this.key), this)
      .then(async (unlisten) => {
        this.release = unlisten;
        if (this.closed) return unlisten();
        await this.readSnapshot();
        this.live = true;
        const pending = this.pending;
        this.pending = undefined;
        if (pending) for (const event of pending.sort((a, b) => a.seq - b.seq)) this.emit(event);
      })
      .catch((err: unknown) => {
        if (!this.closed) this.subscriber.error(err);
      });
  }

  /** The teardown: rxjs calls it on unsubscribe, completion and error. */
  unsubscribe(): void {
    this.closed = true;
    this.release?.();
  }

  onMessage(payload: string): void {
    const event = parseEvent(payload);
    if (this.live) this.emit(event);
    else (this.pending ??= []).push(event);
  }

  onResync(): void {
    this.readSnapshot().catch((err: unknown) => this.subscriber.error(err));
  }

  private emit(event: ExecutionEvent): void {
    if (this.closed || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.sink.applyEvent(event);
    this.subscriber.next(event);
    if (event.type === 'state' && isTerminal(event.state)) {
      this.closed = true;
      this.subscriber.complete();
    }
  }

  private async readSnapshot(): Promise<void> {
    const record = await (await this.host.store()).read(this.key);
    if (this.closed) return;
    if (!record) {
      if (this.lastSeq === 0) this.subscriber.error(new ExecutionNotFoundError(this.key));
      else this.subscriber.complete();
      this.closed = true;
      return;
    }
    this.sink.apply(record);
    for (const event of snapshotEvents(record)) this.emit(event);
  }
}

/** The events that describe a record as it is now, in sequence order. */
function snapshotEvents(record: ExecutionRecord): ExecutionEvent[] {
  const events: ExecutionEvent[] = [
    stripUndefined<ExecutionStateEvent>({
      type: 'state',
      key: record.key,
      seq: record.stateSeq,
      state: record.state,
      when: new Date(record.when),
      worker: record.worker,
      startedAt: record.startedAt !== undefined ? new Date(record.startedAt) : undefined,
      completedAt: record.completedAt !== undefined ? new Date(record.completedAt) : undefined,
      error: record.error,
      attempt: record.attempt,
    }),
  ];
  if (record.progress) {
    events.push({
      type: 'progress',
      key: record.key,
      seq: record.progressSeq,
      current: record.progress.current,
      total: record.progress.total,
      message: record.progress.message,
      updatedAt: new Date(record.progress.updatedAt),
    });
  }
  return events.sort((a, b) => a.seq - b.seq);
}
