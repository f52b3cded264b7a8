/**
 * The streaming helpers on their own: toSseEvents (names, ids, Last-Event-ID, keep-alive) and
 * toAsyncIterator (queueing, errors, cleanup). The sample's specs use both over real HTTP and
 * graphql-ws.
 */
import type { MessageEvent } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { ExecutionState, toAsyncIterator, toSseEvents, type ExecutionEvent } from 'nestjs-docket';
import { waitUntil } from '../support/docket-test';

const state = (seq: number, s: ExecutionState): ExecutionEvent => ({ type: 'state', key: 'k', seq, state: s });
const progress = (seq: number, current: number): ExecutionEvent => ({ type: 'progress', key: 'k', seq, current, total: 3, message: null, updatedAt: new Date(0) });

function collect(source: Observable<MessageEvent>): { seen: MessageEvent[]; done: Promise<void> } {
  const seen: MessageEvent[] = [];
  const done = new Promise<void>((resolve, reject) => source.subscribe({ next: (e) => seen.push(e), error: reject, complete: resolve }));
  return { seen, done };
}

describe('toSseEvents', () => {
  it('names the first event snapshot and the others by type, with the sequence number as id', async () => {
    const events = new Subject<ExecutionEvent>();
    const { seen, done } = collect(toSseEvents(events, { keepAliveMs: 0 }));
    events.next(state(1, ExecutionState.QUEUED));
    events.next(state(2, ExecutionState.RUNNING));
    events.next(progress(3, 1));
    events.next(state(4, ExecutionState.COMPLETED));
    events.complete();
    await done;
    expect(seen.map((e) => [e.type, e.id])).toEqual([
      ['snapshot', '1'],
      ['state', '2'],
      ['progress', '3'],
      ['state', '4'],
    ]);
    expect(seen[2].data).toMatchObject({ type: 'progress', current: 1 });
  });

  it('skips what a client had (Last-Event-ID), and ignores an id that is not a number', async () => {
    const run = async (lastEventId: string | string[]): Promise<(string | undefined)[]> => {
      const events = new Subject<ExecutionEvent>();
      const { seen, done } = collect(toSseEvents(events, { keepAliveMs: 0, lastEventId }));
      [state(5, ExecutionState.RUNNING), progress(6, 2), state(7, ExecutionState.COMPLETED)].forEach((e) => events.next(e));
      events.complete();
      await done;
      return seen.map((e) => `${e.type} ${e.id}`);
    };
    expect(await run('6')).toEqual(['state 7']);
    expect(await run(['5'])).toEqual(['progress 6', 'state 7']);
    expect(await run('garbage')).toEqual(['snapshot 5', 'progress 6', 'state 7']);
  });

  it('sends keep-alive events while nothing happens, and stops them with the stream', async () => {
    const events = new Subject<ExecutionEvent>();
    const { seen, done } = collect(toSseEvents(events, { keepAliveMs: 5 }));
    events.next(state(1, ExecutionState.SCHEDULED));
    await waitUntil(() => seen.filter((e) => e.type === 'keepalive').length >= 2, 'two keep-alive events');
    events.complete();
    await done;
    expect(seen[0].type).toBe('snapshot');
    expect(seen.find((e) => e.type === 'keepalive')).toEqual({ type: 'keepalive', data: '' });
    // Unsubscribed: no timer is left behind (jest's open-handle check would report one).
    expect(events.observed).toBe(false);
  });

  it('refuses a keep-alive interval that is not a whole number of ms, by name', () => {
    expect(() => toSseEvents(new Subject<ExecutionEvent>(), { keepAliveMs: -1 })).toThrow(/keepAliveMs must be 0 \(none\) or a whole number of ms/);
    expect(() => toSseEvents(new Subject<ExecutionEvent>(), { keepAliveMs: 2 ** 31 })).toThrow(RangeError);
  });
});

describe('toAsyncIterator', () => {
  it('yields what the source sent, in order, then ends when it completes', async () => {
    const source = new Subject<number>();
    const iterator = toAsyncIterator(source);
    source.next(1);
    source.next(2);
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    expect(await iterator.next()).toEqual({ value: 2, done: false });
    // A pull before the value: it waits for it.
    const third = iterator.next();
    source.next(3);
    source.complete();
    expect(await third).toEqual({ value: 3, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it("throws the source's error from the next pull", async () => {
    const source = new Subject<number>();
    const iterator = toAsyncIterator(source);
    const pending = iterator.next();
    source.error(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('unsubscribes from the source when the client leaves (return), and ends a pull that waits', async () => {
    let unsubscribed = false;
    const source = new Observable<number>(() => () => (unsubscribed = true));
    const iterator = toAsyncIterator(source);
    const waiting = iterator.next();
    await iterator.return!();
    expect(unsubscribed).toBe(true);
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});
