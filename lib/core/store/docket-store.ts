/**
 * The producer's side of the store port: adds, cancels, reads of records, strikes, and the
 * views of pending work and live workers. {@link WorkerStore} extends it for a worker.
 */
import type { ExecutionState } from '../execution/execution-state.enum';
import type { ExecutionRecord } from './execution-record';

/** One add or replace. */
export interface ScheduleRequest {
  key: string;
  /** `again`: a prepared call (mode `new`) sent once more by its caller. */
  mode: 'new' | 'again' | 'add' | 'replace';
  when: number;
  task: string;
  args: string;
  /** The result inbox channel of the adding process, or '' for none. */
  reply: string;
  /** Unique to this send of an add or replace under a caller's key, '' otherwise (see the schedule script). */
  token: string;
  /** The adding span's propagated context (JSON), '' for none; the run's span continues its trace. */
  trace: string;
  /** For a task with a cooldown: its group (see DocketKeys.cooldown); '' for none. */
  cooldown: string;
  /** The cooldown window (ms); 0 for none. */
  cooldownMs: number;
  /** How a perpetual or cron task repeats (`Recurrence.text`), kept as the record's 'rec'; '' for a one-off task. */
  recurrence: string;
}

/** What scheduling one request did. */
export interface ScheduleReply {
  /** 'cooled': dropped in the cooldown of an earlier call; nothing was written. */
  status: 'ok' | 'exists' | 'cooled';
  state: ExecutionState;
  generation: string;
  when: number;
}

/**
 * What `cancel` did: cancelled before it ran, abort asked of the running task, nothing under the
 * key, or the terminal state it already had.
 *
 * @example
 * const outcome: CancelOutcome = await docket.cancel(key);
 */
export type CancelOutcome = 'cancelled' | 'cancelling' | 'missing' | 'completed' | 'failed';

/**
 * A live worker as its heartbeat shows it.
 *
 * @example
 * for (const { name, tasks } of await docket.workers()) console.log(name, tasks.join(', '));
 */
export interface WorkerInfo {
  name: string;
  lastSeen: Date;
  tasks: string[];
  concurrency?: number;
}

/** What is waiting: keys in the stream (queued or being run) and the queue (scheduled). */
export interface PendingKeys {
  streamed: string[];
  scheduled: string[];
  streamLength: number;
  queueLength: number;
  /** Entries in the quarantine. */
  quarantineLength: number;
}

/**
 * Something the engine could not read or write, moved aside with why and when: a stream
 * `message`, an execution `record` (left FAILED in its place, saying why), or an `outcome` the
 * store refused to record.
 *
 * @example
 * for (const item of await docket.quarantined()) console.log(item.what, item.key, item.reason);
 */
export interface QuarantinedItem {
  /** Its id in the quarantine (for `clearQuarantine`). */
  id: string;
  what: 'message' | 'record' | 'outcome' | string;
  reason: string;
  /** The execution's key, when it is known. */
  key: string;
  /** The stream message it came with, when it is known. */
  messageId: string;
  at: Date;
  /** The item as it was found, as JSON (a stream entry's fields, a record's hash, an outcome's summary). */
  raw: string;
}

/**
 * How much work a docket holds at one moment.
 *
 * @example
 * const { queued, running, scheduled, oldestDueAt, liveWorkers } = await docket.depths();
 */
export interface DocketDepths {
  /** Due and not yet taken by a worker (in the stream, or due in the queue but not moved yet). */
  queued: number;
  /** Taken by a worker and not finished (delivered, not acknowledged). */
  running: number;
  /** Scheduled for later (retries and runs waiting for a concurrency place included). */
  scheduled: number;
  /** Since when the oldest due execution no worker has taken has been due; undefined when none waits. */
  oldestDueAt?: Date;
  /** Workers whose heartbeat is fresh. */
  liveWorkers: number;
}

/** A docket's store as a producer (and any reader) uses it. */
export interface DocketStore {
  /** Schedules a batch of executions, each one state change. */
  schedule(requests: readonly ScheduleRequest[], now: number): Promise<ScheduleReply[]>;
  cancel(key: string, now: number, ttlMs: number): Promise<CancelOutcome>;
  read(key: string): Promise<ExecutionRecord | null>;
  readMany(keys: readonly string[]): Promise<(ExecutionRecord | null)[]>;
  /** The stored result and failure of a finished run. */
  readOutcome(key: string): Promise<{ result?: string; failure?: string; error?: string }>;
  /** The workers whose heartbeat is younger than `maxAgeMs`, newest first. */
  workers(maxAgeMs: number, now: number): Promise<WorkerInfo[]>;
  /** Keys in the stream and the queue, up to `limit` each, and their lengths. */
  pendingKeys(limit: number): Promise<PendingKeys>;
  /** True while any work is queued, scheduled or unacknowledged. */
  hasWork(): Promise<boolean>;
  /** How much work the docket holds by `now`, counting workers seen within `workerMaxAgeMs`; one round trip. */
  depths(now: number, workerMaxAgeMs: number): Promise<DocketDepths>;
  /**
   * Writes a strike rule under `id` (or, with `rule` undefined, removes it) and announces
   * `announcement` on the strikes channel, at once. True when it changed what is in effect.
   */
  putStrike(id: string, rule: string | undefined, announcement: string): Promise<boolean>;
  /** Every strike rule in effect: id → the rule as stored. */
  strikeRules(): Promise<Record<string, string>>;
  /** The newest `limit` items of the quarantine, newest first, and how many it holds. */
  quarantined(limit: number): Promise<{ items: QuarantinedItem[]; total: number }>;
  /** The quarantined item `id`, or undefined when there is none (or `id` is not an item's id). */
  quarantinedItem(id: string): Promise<QuarantinedItem | undefined>;
  /** Removes the quarantined items `ids`, or every one; how many it removed. */
  clearQuarantine(ids?: readonly string[]): Promise<number>;
  /** Resolves once the store answers (it fails fast when the backend is down). */
  ping(): Promise<void>;
  /** Closes the store's connection, letting answers on their way arrive first. */
  close(): Promise<void>;
}
