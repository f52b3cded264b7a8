/**
 * The gap-free event stream of one execution, behind `Execution.subscribe()`: subscribe to its
 * channel first, then read the record, emit the snapshot, then the live events held meanwhile
 * and after, each only if its sequence number is newer than the last one emitted. After a
 * reconnect the record is read again; the stream completes after the terminal state.
 */
import { Observable } from 'rxjs';
import { ExecutionNotFoundError } from '../errors/docket.errors';
import { parseEvent, stripUndefined, type ExecutionEvent, type ExecutionStateEvent } from './execution-event';
import { isTerminal } from './execution-state.enum';
import type { ExecutionRecord } from '../store';
import type { ExecutionHost } from './execution-host';

/** Where the stream reports what it read and heard, so the Execution object stays current. */
export interface EventSink {
  record(record: ExecutionRecord): void;
  event(event: ExecutionEvent): void;
}

/** The events of execution `key`: snapshot first, then live; cold, and completes at the end. */
export function executionEvents(host: ExecutionHost, key: string, apply: EventSink): Observable<ExecutionEvent> {
  return new Observable<ExecutionEvent>((subscriber) => {
    let lastSeq = 0;
    let live = false;
    let closed = false;
    let release: (() => void) | undefined;
    const pending: ExecutionEvent[] = [];

    const emit = (event: ExecutionEvent): void => {
      if (closed || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      apply.event(event);
      subscriber.next(event);
      if (event.type === 'state' && isTerminal(event.state)) {
        closed = true;
        subscriber.complete();
      }
    };
    const readSnapshot = async (): Promise<void> => {
      const record = await (await host.store()).read(key);
      if (closed) return;
      if (!record) {
        if (lastSeq === 0) subscriber.error(new ExecutionNotFoundError(key));
        else subscriber.complete();
        closed = true;
        return;
      }
      apply.record(record);
      for (const event of snapshotEvents(record)) emit(event);
    };
    const hub = host.hub();
    hub
      .listen(host.keys.events(key), {
        onMessage: (payload) => {
          const event = parseEvent(payload);
          if (live) emit(event);
          else pending.push(event);
        },
        onResync: () => {
          readSnapshot().catch((err: unknown) => subscriber.error(err));
        },
      })
      .then(async (unlisten) => {
        release = unlisten;
        if (closed) return unlisten();
        await readSnapshot();
        live = true;
        for (const event of pending.sort((a, b) => a.seq - b.seq)) emit(event);
        pending.length = 0;
      })
      .catch((err: unknown) => {
        if (!closed) subscriber.error(err);
      });
    return () => {
      closed = true;
      release?.();
    };
  });
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
