/**
 * What the dashboard's server sends its page over the one SSE connection, and what the page
 * asks of it. Types only: the server and the page (compiled apart, for the browser) share them.
 */

/** An execution's state, as the engine names it. */
export type WireState = 'scheduled' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** One pending or running execution. Dates are epoch ms. */
export interface WireRow {
  readonly key: string;
  readonly task: string;
  /** The call as the logs render it: only `@Logged` arguments have values, the rest are `...`. */
  readonly call: string;
  readonly state: WireState;
  readonly when: number;
  readonly worker?: string;
  readonly startedAt?: number;
  readonly attempt?: number;
  /** What a SCHEDULED run waits for besides its time, in words (`a place of the concurrency limit "…"`, `rate limit …`, `a worker with task "…"`). */
  readonly waitingFor?: string;
  /** How a perpetual or cron run repeats. */
  readonly recurrence?: string;
  /** `Name: message` of the last attempt's failure, while a retry waits. */
  readonly error?: string;
  readonly progress?: WireProgress;
}

/** The latest progress report of a running execution. */
export interface WireProgress {
  readonly current: number;
  readonly total: number;
  readonly message: string | null;
  /** When the task reported it (epoch ms). */
  readonly updatedAt: number;
}

/** A finished execution, as heard by this server. */
export interface WireOutcome {
  readonly key: string;
  readonly task: string;
  readonly call: string;
  readonly state: 'completed' | 'failed' | 'cancelled';
  readonly startedAt?: number;
  readonly completedAt: number;
  /** `Name: message` of the failure. */
  readonly error?: string;
  readonly worker?: string;
}

/** A live worker, from its heartbeat. */
export interface WireWorker {
  readonly name: string;
  readonly tasks: readonly string[];
  readonly lastSeen: number;
  /** How many of the running executions this server knows of run on it. */
  readonly running: number;
}

/** A strike in effect, in words, with what `docket restore` takes to lift it. */
export interface WireStrike {
  readonly task?: string;
  readonly text: string;
}

/** The slow-moving parts of a docket, read again while a page is open (heartbeats are not published). */
export interface WireMeta {
  readonly workers: readonly WireWorker[];
  readonly strikes: readonly WireStrike[];
  /** Entries the engine moved aside because it could not read them; null when it could not be read. */
  readonly quarantined: number | null;
  /** Finished runs per 10 s bucket, oldest first, for the last 5 minutes. */
  readonly throughput: readonly { readonly at: number; readonly completed: number; readonly failed: number }[];
  /** When the meta was read (epoch ms). */
  readonly at: number;
  /** More executions are pending or running than the page is shown (it is shown the first `rowLimit`). */
  readonly overLimit: boolean;
  readonly rowLimit: number;
}

/** One docket as the page first sees it. */
export interface WireDocket {
  readonly name: string;
  readonly rows: readonly WireRow[];
  readonly outcomes: readonly WireOutcome[];
  readonly meta: WireMeta;
}

/** The first message of a connection (and of one that could not be resumed). */
export interface WireSnapshot {
  readonly readOnly: boolean;
  readonly dockets: readonly WireDocket[];
}

/** A change after the snapshot. */
export type WireDelta =
  | { readonly type: 'row'; readonly docket: string; readonly row: WireRow }
  | { readonly type: 'progress'; readonly docket: string; readonly key: string; readonly progress: WireProgress }
  | { readonly type: 'outcome'; readonly docket: string; readonly outcome: WireOutcome }
  | { readonly type: 'gone'; readonly docket: string; readonly key: string }
  | { readonly type: 'meta'; readonly docket: string; readonly meta: WireMeta };

/** One entry of an execution's timeline, as heard by this server. */
export interface WireTimelineEntry {
  readonly at: number;
  readonly type: 'state' | 'progress';
  readonly state?: WireState;
  readonly worker?: string;
  readonly error?: string;
  readonly waitingFor?: string;
  readonly current?: number;
  readonly total?: number;
  readonly message?: string | null;
}

/** `GET …/api/dockets/:docket/executions/:key`: one execution, its outcome and what was heard of it. */
export interface WireExecution extends Omit<WireRow, 'attempt'> {
  readonly docket: string;
  readonly completedAt?: number;
  readonly attempt: number;
  /** The result, rendered as JSON text (cut at 4 KiB); absent unless COMPLETED with one. */
  readonly result?: string;
  /** The events this server heard for it, oldest first (it keeps the last 50 of recent executions). */
  readonly timeline: readonly WireTimelineEntry[];
}
