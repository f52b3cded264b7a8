/**
 * One docket as the dashboard's server keeps it while a page is open: the pending and running
 * executions (from a snapshot, then kept by the docket's events), the last outcomes heard, the
 * recent events of each execution, and the slow-moving parts (workers, strikes, quarantine), read
 * again now and then since heartbeats are not published. Every change goes out as a delta.
 */
import type { Subscription } from 'rxjs';
import type { ExecutionEvent, ExecutionStateEvent } from '../../core/execution/execution-event';
import { ExecutionState, isTerminal } from '../../core/execution/execution-state.enum';
import type { Docket } from '../../core/producer/docket';
import { readPending } from '../../core/producer/docket-snapshot';
import { describeStrike } from '../../core/tasks/strike';
import type { ExecutionRecord } from '../../core/store';
import type { WireDelta, WireDocket, WireMeta, WireOutcome, WireTimelineEntry } from '../dashboard-wire';
import { clip, entryOf, outcomeOf, outcomeOfRecord, rowAfter, rowOf, withoutSeq, type BoardRow } from './board-rows';
import { Throughput } from './throughput';

/** Pending and running executions kept per docket (beyond it, new ones are not shown). */
export const ROW_LIMIT = 5_000;
const OUTCOME_LIMIT = 200;
const TIMELINE_KEYS = 1_000;
const TIMELINE_LENGTH = 50;

/** What a board reports through: its deltas, and a line when something could not be read. */
export interface BoardSink {
  emit(delta: WireDelta): void;
  warn(message: string): void;
}

export class DocketBoard {
  private readonly rows = new Map<string, BoardRow>();
  private readonly outcomes: WireOutcome[] = [];
  private readonly timelines = new Map<string, WireTimelineEntry[]>();
  private readonly throughput = new Throughput();
  /** Events of executions this board has no row for, waiting for their records to be read. */
  private readonly unknown = new Map<string, ExecutionEvent[]>();
  private readonly reading = new Set<string>();
  private readScheduled = false;
  /** Events heard before the snapshot was read: taken in after it. */
  private heldBack?: ExecutionEvent[] = [];
  private subscription?: Subscription;
  private meta: WireMeta = { workers: [], strikes: [], quarantined: null, throughput: [], at: 0, overLimit: false, rowLimit: ROW_LIMIT };
  /** Executions were left out for want of room (in the snapshot, or heard of later). */
  private overLimit = false;
  private metaText = '';
  private stopped = false;

  constructor(
    readonly docket: Docket,
    private readonly sink: BoardSink,
  ) {}

  /** Listens to the docket's events, then reads what it holds. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.subscription = this.docket.events$({ onReady: resolve }).subscribe({
        next: (event) => this.hear(event),
        error: (err: unknown) => {
          this.sink.warn(`the events of docket "${this.docket.name}" stopped: ${String(err)}`);
          reject(err);
        },
      });
    });
    const { records, streamLength, queueLength } = await this.docket.withStore((store) => readPending(store, ROW_LIMIT));
    for (const record of records) {
      if (record && !isTerminal(record.state) && this.rows.size < ROW_LIMIT) this.rows.set(record.key, rowOf(this.docket, record));
    }
    this.overLimit = streamLength + queueLength > this.rows.size && this.rows.size >= ROW_LIMIT;
    await this.refreshMeta();
    const held = this.heldBack ?? [];
    this.heldBack = undefined;
    for (const event of held) this.hear(event);
  }

  /** Stops listening; nothing is read after this (a closed docket is not opened again). */
  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
  }

  /** Everything the page shows of this docket. */
  view(): WireDocket {
    const rows = [...this.rows.values()].map(withoutSeq);
    return { name: this.docket.name, rows, outcomes: [...this.outcomes], meta: this.meta };
  }

  /** The events this server heard for `key`, oldest first. */
  timeline(key: string): WireTimelineEntry[] {
    return [...(this.timelines.get(key) ?? [])];
  }

  /** Reads workers, strikes and the quarantine again; a delta goes out when something changed. */
  async refreshMeta(): Promise<void> {
    if (this.stopped) return;
    const [workers, strikes, quarantined] = await Promise.all([
      this.docket.workers(),
      this.docket.strikes(),
      this.docket.quarantine.list(1).then(({ total }) => total, () => null),
    ]);
    const running = new Map<string, number>();
    for (const row of this.rows.values()) if (row.worker && row.state === ExecutionState.RUNNING) running.set(row.worker, (running.get(row.worker) ?? 0) + 1);
    const meta: WireMeta = {
      workers: workers.map((w) => ({ name: w.name, tasks: [...w.tasks].sort(), lastSeen: w.lastSeen.getTime(), running: running.get(w.name) ?? 0 })),
      strikes: strikes.map((s) => ({ task: s.task, text: describeStrike(s) })),
      quarantined,
      throughput: this.throughput.buckets(Date.now()),
      at: Date.now(),
      overLimit: this.overLimit && this.rows.size >= ROW_LIMIT,
      rowLimit: ROW_LIMIT,
    };
    const { at: _at, ...compared } = meta;
    const text = JSON.stringify(compared);
    this.meta = meta;
    if (text === this.metaText) return;
    this.metaText = text;
    this.sink.emit({ type: 'meta', docket: this.docket.name, meta });
  }

  /** Takes in one event of the docket. */
  private hear(event: ExecutionEvent): void {
    if (this.stopped) return;
    this.remember(event);
    if (this.heldBack) {
      this.heldBack.push(event);
      return;
    }
    const row = this.rows.get(event.key);
    if (!row) return this.readLater(event);
    if (event.seq <= row.seq) return;
    if (event.type === 'progress') {
      const progress = { current: event.current, total: event.total, message: clip(event.message), updatedAt: event.updatedAt.getTime() };
      this.rows.set(event.key, { ...row, progress, seq: event.seq });
      this.sink.emit({ type: 'progress', docket: this.docket.name, key: event.key, progress });
    } else if (isTerminal(event.state)) {
      this.rows.delete(event.key);
      this.sink.emit({ type: 'gone', docket: this.docket.name, key: event.key });
      this.finished(outcomeOf(event, row));
    } else {
      const next = rowAfter(row, event);
      this.rows.set(event.key, next);
      this.sink.emit({ type: 'row', docket: this.docket.name, row: withoutSeq(next) });
    }
  }

  private finished(outcome: WireOutcome): void {
    this.outcomes.unshift(outcome);
    if (this.outcomes.length > OUTCOME_LIMIT) this.outcomes.length = OUTCOME_LIMIT;
    if (outcome.state !== ExecutionState.CANCELLED) this.throughput.count(outcome.state === ExecutionState.COMPLETED, outcome.completedAt);
    this.sink.emit({ type: 'outcome', docket: this.docket.name, outcome });
  }

  /** Keeps the last events of recent executions for the page's timeline of one. */
  private remember(event: ExecutionEvent): void {
    let entries = this.timelines.get(event.key);
    if (entries) this.timelines.delete(event.key);
    else entries = [];
    entries.push(entryOf(event));
    if (entries.length > TIMELINE_LENGTH) entries.shift();
    this.timelines.set(event.key, entries);
    if (this.timelines.size > TIMELINE_KEYS) this.timelines.delete(this.timelines.keys().next().value as string);
  }

  /** An event of an execution with no row: its record is read (one batch per tick) to know its task and call. */
  private readLater(event: ExecutionEvent): void {
    const waiting = this.unknown.get(event.key);
    if (waiting) waiting.push(event);
    else this.unknown.set(event.key, [event]);
    if (this.readScheduled) return;
    this.readScheduled = true;
    setImmediate(() => void this.readUnknown());
  }

  private async readUnknown(): Promise<void> {
    this.readScheduled = false;
    if (this.stopped) return;
    const keys = [...this.unknown.keys()].filter((key) => !this.reading.has(key));
    if (keys.length === 0) return;
    for (const key of keys) this.reading.add(key);
    const records = await this.docket.withStore((store) => store.readMany(keys)).catch(() => this.readOneByOne(keys));
    keys.forEach((key, i) => {
      const events = this.unknown.get(key) ?? [];
      this.unknown.delete(key);
      this.reading.delete(key);
      this.learn(key, records[i], events);
    });
    if (this.unknown.size > 0 && !this.readScheduled) {
      this.readScheduled = true;
      setImmediate(() => void this.readUnknown());
    }
  }

  /** The batch read failed (a key of another type, say): each key alone, so that one bad key hides no other. */
  private async readOneByOne(keys: readonly string[]): Promise<(ExecutionRecord | null)[]> {
    return Promise.all(
      keys.map((key) =>
        this.docket.withStore((store) => store.read(key)).catch((err: unknown) => {
          this.sink.warn(`could not read execution "${key}" of docket "${this.docket.name}": ${String(err)}`);
          return null;
        }),
      ),
    );
  }

  /** Takes in a record read for events heard before it: the run that ended among them, and the run it holds now. */
  private learn(key: string, record: ExecutionRecord | null, events: readonly ExecutionEvent[]): void {
    const ended = events.filter((e): e is ExecutionStateEvent => e.type === 'state' && isTerminal(e.state)).at(-1);
    if (!record) {
      if (ended) this.finished(outcomeOf(ended, { task: '', call: `(${key})` }));
      return;
    }
    const row = rowOf(this.docket, record);
    if (ended && (isTerminal(record.state) ? record.seq >= ended.seq : true)) this.finished(outcomeOf(ended, row));
    else if (isTerminal(record.state) && !ended) this.finished(outcomeOfRecord(this.docket, record));
    if (isTerminal(record.state)) return;
    if (this.rows.size >= ROW_LIMIT) {
      this.overLimit = true;
      return;
    }
    this.rows.set(key, row);
    this.sink.emit({ type: 'row', docket: this.docket.name, row: withoutSeq(row) });
    for (const event of events) if (event.seq > record.seq) this.hear(event);
  }
}
