/**
 * An execution's events as Server-Sent Events for a Nest `@Sse()` handler: named, numbered for
 * `Last-Event-ID`, and kept alive through proxies that close idle connections.
 */
import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ExecutionEvent } from '../../core';
import { fitsTimer } from '../../core/util/long-timer';

/**
 * How {@link toSseEvents} writes the stream.
 *
 * @example
 * const options: SseEventsOptions = { keepAliveMs: 30_000, lastEventId: req.headers['last-event-id'] };
 */
export interface SseEventsOptions {
  /**
   * Sends a `keepalive` event (empty data) after this many ms without another event; 0 sends
   * none. Browsers' EventSource ignores it unless listened for.
   * @default 15000
   */
  readonly keepAliveMs?: number;
  /**
   * The `Last-Event-ID` header of a client that reconnects: the events it had (sequence numbers up
   * to this one) are not sent again. Anything that is not a whole number is ignored.
   */
  readonly lastEventId?: string | number | readonly string[];
}

/** The SSE event names {@link toSseEvents} writes. */
export type SseEventName = 'snapshot' | 'state' | 'progress' | 'keepalive';

const DEFAULT_KEEP_ALIVE_MS = 15_000;

/**
 * Turns an execution's events (`execution.subscribe()`: its current state first, then every
 * change) into the `MessageEvent`s a Nest `@Sse()` handler returns. The first event is named
 * `snapshot`, later ones `state` or `progress`; each carries the event as its data and its
 * sequence number as its `id`, so a client that reconnects with `Last-Event-ID` gets only what it
 * missed. The stream ends after the terminal state, as the events do.
 *
 * @example
 * \@Sse(':key/events')
 * async events(@Param('key') key: string, @Headers('last-event-id') last?: string): Promise<Observable<MessageEvent>> {
 *   const execution = await this.docket.getExecution(key);
 *   if (!execution) throw new NotFoundException(`No execution "${key}"`);
 *   return toSseEvents(execution.subscribe(), { lastEventId: last });
 * }
 */
export function toSseEvents(events: Observable<ExecutionEvent>, options: SseEventsOptions = {}): Observable<MessageEvent> {
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  if (!(keepAliveMs === 0 || (Number.isInteger(keepAliveMs) && keepAliveMs > 0 && fitsTimer(keepAliveMs)))) {
    throw new RangeError(`toSseEvents: keepAliveMs must be 0 (none) or a whole number of ms up to 2^31 - 1; got ${String(keepAliveMs)}`);
  }
  const after = lastSeq(options.lastEventId);
  return new Observable<MessageEvent>((subscriber) => {
    let first = true;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (keepAliveMs === 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        subscriber.next({ type: 'keepalive', data: '' });
        arm();
      }, keepAliveMs);
      timer.unref();
    };
    arm();
    const subscription = events.subscribe({
      next: (event) => {
        const type: SseEventName = first ? 'snapshot' : event.type;
        first = false;
        if (after !== undefined && event.seq <= after) return;
        subscriber.next({ type, id: String(event.seq), data: event });
        arm();
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    return () => {
      if (timer) clearTimeout(timer);
      subscription.unsubscribe();
    };
  });
}

function lastSeq(header: SseEventsOptions['lastEventId']): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const seq = Number(value);
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
}
