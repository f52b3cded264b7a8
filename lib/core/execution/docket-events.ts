/** Every event of every execution of a docket, live, behind `Docket.events$()`. */
import { Observable } from 'rxjs';
import type { SubscriberHub } from '../store';
import { parseEvent, type ExecutionEvent } from './execution-event';

/**
 * The events heard on the channels matching `pattern` (no snapshot); `onReady` runs once the
 * subscription is confirmed. Cold: the pattern is subscribed per subscriber, on the shared hub.
 */
export function docketEvents(hub: SubscriberHub, pattern: string, options: { onReady?: () => void }): Observable<ExecutionEvent> {
  return new Observable<ExecutionEvent>((subscriber) => {
    let release: (() => void) | undefined;
    let closed = false;
    hub
      .listenPattern(pattern, { onMessage: (payload) => subscriber.next(parseEvent(payload)) })
      .then((unlisten) => {
        if (closed) return unlisten();
        release = unlisten;
        options.onReady?.();
      })
      .catch((err: unknown) => subscriber.error(err));
    return () => {
      closed = true;
      release?.();
    };
  });
}
