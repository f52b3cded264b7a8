/**
 * The process-wide pub/sub of a backend, shared by every Observable, the workers' cancellation
 * listeners, the strike lists, the result inboxes and the dashboards' pattern subscriptions.
 */

/** Called with each message on a channel (or, for patterns, with the channel too). */
export type MessageHandler = (message: string, channel: string) => void;

/** A registered listener; `onResync` runs after every reconnect, once resubscribed. */
export interface Listener {
  readonly onMessage: MessageHandler;
  readonly onResync?: () => void;
}

/**
 * One subscriber shared by a process. Channels are reference-counted: the first listener
 * subscribes, the last one unsubscribes. After a reconnect every channel is subscribed again and
 * only then are listeners told to resync, so that a snapshot they re-read cannot miss a message.
 */
export interface SubscriberHub {
  /** `'ready'` while connected and subscribed; anything else while connecting or reconnecting. */
  readonly status: string;
  /** Listens on `channel`; resolves, with the function that stops listening, once the subscription is confirmed. */
  listen(channel: string, listener: Listener): Promise<() => void>;
  /** Listens on every channel matching `pattern` (a glob, as PSUBSCRIBE takes it). */
  listenPattern(pattern: string, listener: Listener): Promise<() => void>;
  /** Gives up one use; the subscriber closes with the last one. */
  release(): Promise<void>;
}
