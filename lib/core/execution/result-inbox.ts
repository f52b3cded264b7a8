/**
 * A producer process's result inbox: one pub/sub channel on which the scripts send the terminal
 * event of every run this docket added while the inbox was live. `getResult()` on such a run
 * needs no SUBSCRIBE, snapshot read or UNSUBSCRIBE of its own: it waits here, and an outcome that
 * arrived before anyone asked is kept for a while.
 *
 * News is matched by key and generation, so a run never takes the outcome of an earlier run under
 * the same key. The inbox opens with the first `getResult()` of the docket (that call, and any
 * add sent before the subscription was confirmed, takes the per-execution path). It is trusted
 * only while the subscription has been unbroken since the add and no kept outcome of a later add
 * was dropped; otherwise a waiter reads the record as well, which is gap-free because the inbox
 * was already subscribed before the add was sent. A run that was superseded, whose record is gone
 * or belongs to a later run falls back to the per-execution path.
 */
import { randomBytes } from 'node:crypto';
import { MalformedMessageError, parseMessageJson } from '../errors/bad-data.errors';
import { TimeoutError } from '../errors/docket.errors';
import { eventFromWire, type ExecutionStateEvent } from './execution-event';
import { isTerminal } from './execution-state.enum';
import { setLongTimeout } from '../util/long-timer';
import type { SubscriberHub } from '../store';

/** Outcomes kept for runs nobody waits for yet (count, and bytes of their messages), oldest dropped first. */
const KEEP = 10_000;
const KEEP_BYTES = 16 * 1024 * 1024;

/** @internal What an inbox says about one run: its terminal event, that a replace superseded it, or that events may have been lost. */
export type InboxNews = ExecutionStateEvent | 'superseded' | 'resync';

/** @internal What a read of a run's record says: finished (and applied), still pending, or unknown. */
export type RecordReading = 'read' | 'pending' | 'unknown';

/** @internal Where the inbox stood when an add was sent with it. */
export interface InboxMark {
  readonly epoch: number;
  readonly kept: number;
}

/** @internal See the file comment. */
export class ResultInbox {
  /** The channel the scripts publish to (stored as the record's `reply`). */
  readonly channel: string;
  private live = false;
  private opening?: Promise<void>;
  private unlisten?: () => void;
  private epoch = 0;
  private kept = 0;
  private droppedThrough = 0;
  private keptBytes = 0;
  private closed = false;
  private readonly early = new Map<string, { n: number; news: InboxNews; bytes: number }>();
  private readonly waiters = new Map<string, Set<(news: InboxNews) => void>>();

  constructor(
    private readonly hub: SubscriberHub,
    channelFor: (token: string) => string,
  ) {
    this.channel = channelFor(randomBytes(8).toString('hex'));
  }

  /** Subscribes once; adds sent after the subscription is confirmed carry the inbox. */
  open(): void {
    this.opening ??= this.hub
      .listen(this.channel, { onMessage: (payload) => this.receive(payload), onResync: () => this.resync() })
      .then((unlisten) => {
        if (this.closed) return unlisten();
        this.unlisten = unlisten;
        this.live = true;
      })
      .catch(() => {
        this.opening = undefined; // the next getResult() tries again
      });
  }

  /** Where the inbox stands for an add being sent now, or undefined when it is not live. */
  mark(): InboxMark | undefined {
    return this.live ? { epoch: this.epoch, kept: this.kept } : undefined;
  }

  /** True when every terminal event of an add sent at `mark` has reached (or will reach) here. */
  private covers(mark: InboxMark): boolean {
    return this.live && mark.epoch === this.epoch && this.droppedThrough <= mark.kept;
  }

  /** The news already received for the run `generation` of `key`, removed from the inbox. */
  private take(key: string, generation: string): InboxNews | undefined {
    const id = runId(key, generation);
    const entry = this.early.get(id);
    if (!entry) return undefined;
    this.early.delete(id);
    this.keptBytes -= entry.bytes;
    return entry.news;
  }

  /** Waits for the news of the run `generation` of `key`; `stop` gives up waiting. */
  private wait(key: string, generation: string): { news: Promise<InboxNews>; stop: () => void } {
    const id = runId(key, generation);
    let listener!: (news: InboxNews) => void;
    const news = new Promise<InboxNews>((resolve) => (listener = resolve));
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(listener);
    const stop = (): void => {
      const current = this.waiters.get(id);
      current?.delete(listener);
      if (current?.size === 0) this.waiters.delete(id);
    };
    return { news, stop };
  }

  /**
   * Waits for the terminal event of the run `generation` of `key`, added at `mark`. When the
   * inbox cannot vouch for having every event since the mark, `readRecord` runs alongside.
   *
   * @returns the event; 'read' when `readRecord` found the run finished (and applied it);
   *   'unknown' when only the per-execution path can tell (the run was superseded, its record is
   *   gone or belongs to a later run, or events may have been lost)
   * @throws TimeoutError once `waitMs` has passed
   */
  async hear(
    key: string,
    generation: string,
    mark: InboxMark,
    waitMs: number | undefined,
    readRecord: () => Promise<RecordReading>,
  ): Promise<ExecutionStateEvent | 'read' | 'unknown'> {
    const early = this.take(key, generation);
    if (early) return typeof early === 'string' ? 'unknown' : early;
    const waiting = this.wait(key, generation);
    const racers: Promise<InboxNews | 'read' | 'unknown' | 'timeout'>[] = [waiting.news];
    let cancelTimer: (() => void) | undefined;
    if (waitMs !== undefined) racers.push(new Promise((resolve) => (cancelTimer = setLongTimeout(() => resolve('timeout'), waitMs))));
    if (!this.covers(mark)) {
      // Still pending: keep waiting on the inbox, which was subscribed before the add.
      racers.push(readRecord().then((reading) => (reading === 'pending' ? new Promise<never>(() => undefined) : reading)));
    }
    try {
      const news = await Promise.race(racers);
      if (news === 'timeout') throw new TimeoutError(key, waitMs ?? 0);
      return news === 'superseded' || news === 'resync' ? 'unknown' : news;
    } finally {
      waiting.stop();
      cancelTimer?.();
    }
  }

  close(): void {
    this.closed = true;
    this.live = false;
    this.unlisten?.();
    this.resync();
  }

  /** Takes in one message; throws MalformedMessageError for one that is not an outcome (the hub drops it). */
  private receive(payload: string): void {
    const { id, news } = parseNews(payload);
    const listeners = this.waiters.get(id);
    if (listeners) {
      this.waiters.delete(id);
      for (const listener of listeners) listener(news);
      return;
    }
    const previous = this.early.get(id);
    if (previous) this.keptBytes -= previous.bytes;
    this.early.set(id, { n: ++this.kept, news, bytes: payload.length });
    this.keptBytes += payload.length;
    while (this.early.size > KEEP || (this.keptBytes > KEEP_BYTES && this.early.size > 1)) {
      const [oldestId, oldest] = this.early.entries().next().value as [string, { n: number; bytes: number }];
      this.early.delete(oldestId);
      this.keptBytes -= oldest.bytes;
      this.droppedThrough = oldest.n;
    }
  }

  /** After a reconnect events may have been lost: every waiter falls back to reading. */
  private resync(): void {
    this.epoch++;
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const listeners of waiting) for (const listener of listeners) listener('resync');
  }
}

/** A message of the inbox channel: a run's terminal event, or word that a replace superseded it. */
function parseNews(payload: string): { id: string; news: InboxNews } {
  const raw = parseMessageJson(payload) as { type?: unknown; key?: unknown; gen?: unknown } | null;
  if (typeof raw?.key !== 'string' || !(raw.gen === undefined || typeof raw.gen === 'number')) throw new MalformedMessageError('no key or generation');
  const id = runId(raw.key, String(raw.gen ?? 0));
  if (raw.type === 'superseded') return { id, news: 'superseded' };
  const event = eventFromWire(raw);
  if (event.type !== 'state' || !isTerminal(event.state)) throw new MalformedMessageError('not a terminal state event');
  return { id, news: event };
}

function runId(key: string, generation: string): string {
  return `${generation}/${key}`;
}
