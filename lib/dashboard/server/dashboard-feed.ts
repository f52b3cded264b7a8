/**
 * The dashboard's one stream per page: a snapshot first, then batches of deltas, each batch
 * numbered so that a page that reconnects with `Last-Event-ID` gets what it missed from a ring of
 * recent batches (5,000 and 16 MiB at most), or a new snapshot when the ring no longer reaches back
 * that far. The boards run
 * only while a page is open, and a little after, so that a reconnect finds them.
 */
import type { MessageEvent } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import type { Docket } from '../../core/producer/docket';
import type { WireDelta, WireSnapshot } from '../dashboard-wire';
import { DocketBoard } from './docket-board';

/** How long the boards outlive the last page (a reload, a reconnect). */
const LINGER_MS = 30_000;
/** How often workers, strikes and the quarantine are read again while a page is open. */
const META_MS = 2_000;
const RING_BATCHES = 5_000;
/** …and at most this many characters of them (a burst of large batches does not grow it without end). */
const RING_CHARS = 16 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;
/** What a page's EventSource waits before it reconnects. */
const RETRY_MS = 1_000;

/** What the feed logs through. */
export interface FeedLogger {
  warn(message: string): void;
}

interface Batch {
  readonly id: number;
  /** The batch's deltas as JSON. */
  readonly text: string;
}

interface Client {
  readonly subscriber: Subscriber<MessageEvent>;
  ready: boolean;
  keepalive?: NodeJS.Timeout;
}

export class DashboardFeed {
  private readonly clients = new Set<Client>();
  private boards?: Map<string, DocketBoard>;
  private starting?: Promise<Map<string, DocketBoard>>;
  private epoch = '';
  private lastId = 0;
  /** Recent batches, each serialized once for every page (and for a page that resumes). */
  private ring: Batch[] = [];
  private ringChars = 0;
  private snapshotText?: { id: number; text: string };
  private queue: WireDelta[] = [];
  private flushScheduled = false;
  private linger?: NodeJS.Timeout;
  private metaTimer?: NodeJS.Timeout;

  constructor(
    private readonly dockets: () => readonly Docket[],
    private readonly readOnly: boolean,
    private readonly logger: FeedLogger,
  ) {}

  /**
   * The SSE stream of one page. `lastEventId` is the `Last-Event-ID` of a page that reconnects.
   *
   * @example
   * return feed.stream(request.headers['last-event-id']);
   */
  stream(lastEventId?: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const client: Client = { subscriber, ready: false };
      this.clients.add(client);
      if (this.linger) clearTimeout(this.linger);
      this.linger = undefined;
      this.start()
        .then((boards) => {
          if (subscriber.closed) return;
          this.flush();
          const missed = this.missedSince(lastEventId);
          if (missed) for (const batch of missed) subscriber.next(this.batchEvent(batch));
          else subscriber.next({ type: 'snapshot', id: this.idOf(this.lastId), retry: RETRY_MS, data: this.snapshot(boards) });
          client.ready = true;
          client.keepalive = setInterval(() => subscriber.next({ type: 'keepalive', data: '' }), KEEPALIVE_MS);
          client.keepalive.unref();
        })
        .catch((err: unknown) => subscriber.error(err));
      return () => {
        if (client.keepalive) clearInterval(client.keepalive);
        this.clients.delete(client);
        if (this.clients.size === 0) this.lingerThenStop();
      };
    });
  }

  /** The board of docket `name` while pages are open, else undefined. */
  board(name: string): DocketBoard | undefined {
    return this.boards?.get(name);
  }

  /** Reads workers, strikes and the quarantine of every board now (after an action). */
  async refresh(): Promise<void> {
    await Promise.all([...(this.boards?.values() ?? [])].map((b) => b.refreshMeta().catch(() => undefined)));
  }

  /** Ends every page's stream, as a network cut would: each page reconnects with its `Last-Event-ID`. */
  dropConnections(): void {
    for (const client of [...this.clients]) client.subscriber.complete();
  }

  /** Stops everything at once (the app is closing). */
  close(): void {
    for (const client of [...this.clients]) client.subscriber.complete();
    this.stop();
  }

  private start(): Promise<Map<string, DocketBoard>> {
    if (this.boards) return Promise.resolve(this.boards);
    this.starting ??= (async () => {
      this.epoch = Date.now().toString(36);
      this.lastId = 0;
      this.ring = [];
      this.ringChars = 0;
      this.snapshotText = undefined;
      const sink = { emit: (delta: WireDelta) => this.push(delta), warn: (message: string) => this.logger.warn(message) };
      const boards = new Map(this.dockets().map((docket) => [docket.name, new DocketBoard(docket, sink)]));
      try {
        await Promise.all([...boards.values()].map((board) => board.start()));
      } catch (err) {
        for (const board of boards.values()) board.stop();
        throw err;
      } finally {
        this.starting = undefined;
      }
      this.boards = boards;
      this.metaTimer = setInterval(() => {
        for (const board of boards.values()) board.refreshMeta().catch((err: unknown) => this.logger.warn(`could not read workers and strikes of docket "${board.docket.name}": ${String(err)}`));
      }, META_MS);
      this.metaTimer.unref();
      return boards;
    })();
    return this.starting;
  }

  private lingerThenStop(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = setTimeout(() => this.stop(), LINGER_MS);
    this.linger.unref();
  }

  private stop(): void {
    if (this.linger) clearTimeout(this.linger);
    if (this.metaTimer) clearInterval(this.metaTimer);
    this.linger = this.metaTimer = undefined;
    for (const board of this.boards?.values() ?? []) board.stop();
    this.boards = undefined;
  }

  private push(delta: WireDelta): void {
    this.queue.push(delta);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends the deltas of this tick as one batch, and keeps it for pages that reconnect. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch: Batch = { id: ++this.lastId, text: JSON.stringify(this.queue) };
    this.queue = [];
    this.ring.push(batch);
    this.ringChars += batch.text.length;
    let drop = 0;
    while (this.ring.length - drop > 1 && (this.ring.length - drop > RING_BATCHES || this.ringChars > RING_CHARS)) this.ringChars -= this.ring[drop++].text.length;
    if (drop > 0) this.ring.splice(0, drop);
    const event = this.batchEvent(batch);
    for (const client of this.clients) if (client.ready) client.subscriber.next(event);
  }

  /** The batches after `lastEventId`, or undefined when it is not of this run of the boards or reaches back too far. */
  private missedSince(lastEventId: string | undefined): Batch[] | undefined {
    const match = /^([0-9a-z]+):(\d+)$/.exec(lastEventId ?? '');
    if (!match || match[1] !== this.epoch) return undefined;
    const seen = Number(match[2]);
    if (seen > this.lastId) return undefined;
    const oldest = this.ring[0]?.id ?? this.lastId + 1;
    if (seen < oldest - 1) return undefined;
    return this.ring.filter((batch) => batch.id > seen);
  }

  private batchEvent(batch: Batch): MessageEvent {
    return { type: 'deltas', id: this.idOf(batch.id), data: batch.text };
  }

  private idOf(n: number): string {
    return `${this.epoch}:${n}`;
  }

  /**
   * The snapshot as JSON, made once per batch id: every page that connects before the next batch
   * gets the same text (a burst of connections costs one snapshot, not one each).
   */
  private snapshot(boards: Map<string, DocketBoard>): string {
    if (this.snapshotText?.id !== this.lastId) {
      const snapshot: WireSnapshot = { readOnly: this.readOnly, dockets: [...boards.values()].map((board) => board.view()) };
      this.snapshotText = { id: this.lastId, text: JSON.stringify(snapshot) };
    }
    return this.snapshotText.text;
  }
}
