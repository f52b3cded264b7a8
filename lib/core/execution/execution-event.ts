import { MalformedMessageError, parseMessageJson } from '../errors/bad-data.errors';
import { isExecutionState, type ExecutionState } from './execution-state.enum';

/**
 * A change of an execution's state.
 *
 * @example
 * execution.subscribe().subscribe((e) => { if (e.type === 'state') console.log(e.state, e.worker); });
 */
export interface ExecutionStateEvent {
  readonly type: 'state';
  readonly key: string;
  /** Per-execution sequence number: strictly increasing over every event of the execution. */
  readonly seq: number;
  readonly state: ExecutionState;
  /** When it is (or was) due. */
  readonly when?: Date;
  /** The worker running (or that ran) it. */
  readonly worker?: string;
  readonly startedAt?: Date;
  readonly completedAt?: Date;
  /** `Name: message` of the failure: on FAILED, and on the event that queues or schedules a retry. */
  readonly error?: string;
  /** Which run of the execution this is about (1 for the first; a retry counts up). */
  readonly attempt?: number;
  /**
   * On SCHEDULED: the concurrency limit (`task`, or `task:value` with a key) the run waits for a
   * place of; it is queued again as soon as one frees up.
   */
  readonly waitingFor?: string;
}

/**
 * A progress report of a running execution.
 *
 * @example
 * execution.progress$.subscribe((p) => console.log(`${p.current}/${p.total} ${p.message ?? ''}`));
 */
export interface ExecutionProgressEvent {
  readonly type: 'progress';
  readonly key: string;
  /** Per-execution sequence number, shared with state events. */
  readonly seq: number;
  readonly current: number;
  readonly total: number;
  readonly message: string | null;
  readonly updatedAt: Date;
}

/**
 * Everything `Execution.subscribe()` emits: a discriminated union on `type`.
 *
 * @example
 * const events: ExecutionEvent[] = await lastValueFrom(execution.subscribe().pipe(toArray()));
 */
export type ExecutionEvent = ExecutionStateEvent | ExecutionProgressEvent;

/** @internal Where parseEvent keeps a terminal event's encoded outcome, off the public fields. */
export const OUTCOME = Symbol('docket.outcome');

/** @internal The encoded result or failure a terminal event carried, if any. */
export interface CarriedOutcome {
  result?: string;
  failure?: string;
}

/** @internal The outcome carried by `event`, if any. */
export function carriedOutcome(event: ExecutionEvent): CarriedOutcome | undefined {
  return (event as { [OUTCOME]?: CarriedOutcome })[OUTCOME];
}

/**
 * Parses an event as published by the scripts (timestamps are epoch ms on the wire).
 *
 * @throws MalformedMessageError for a payload that is not a docket event; the subscriber that
 *   heard it drops it with a log line.
 */
export function parseEvent(payload: string): ExecutionEvent {
  return eventFromWire(parseMessageJson(payload));
}

/** @internal {@link parseEvent} for a message already parsed from JSON; checks its shape first. */
export function eventFromWire(value: unknown): ExecutionEvent {
  const raw = checkedWire(value);
  const event = fromWire(raw);
  // 'carried': the event holds the whole outcome (a task that returned nothing has no result).
  if (raw.carried === 1 || raw.result !== undefined || raw.failure !== undefined) {
    const outcome: CarriedOutcome = { result: raw.result as string | undefined, failure: raw.failure as string | undefined };
    Object.defineProperty(event, OUTCOME, { value: outcome, enumerable: false });
  }
  return event;
}

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isOptional = (v: unknown, type: 'string' | 'number'): boolean => v === undefined || v === null || typeof v === type;

/** The fields an event must have to be applied: anything else is not ours, or was damaged. */
function checkedWire(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedMessageError('not an object');
  const raw = value as Record<string, unknown>;
  if (typeof raw.key !== 'string' || !isCount(raw.seq)) throw new MalformedMessageError('no key or seq');
  if (raw.type === 'progress') {
    if (!isCount(raw.current) || !isCount(raw.total) || !isCount(raw.updatedAt) || !isOptional(raw.message, 'string')) {
      throw new MalformedMessageError('a progress event without current, total or updatedAt');
    }
    return raw;
  }
  if (raw.type !== 'state' || !isExecutionState(raw.state)) throw new MalformedMessageError(`unknown type or state`);
  for (const field of ['when', 'startedAt', 'completedAt', 'attempt'] as const) {
    if (!isOptional(raw[field], 'number')) throw new MalformedMessageError(`${field} is not a number`);
  }
  for (const field of ['worker', 'error', 'waitingFor', 'result', 'failure'] as const) {
    if (!isOptional(raw[field], 'string')) throw new MalformedMessageError(`${field} is not a string`);
  }
  return raw;
}

function fromWire(raw: Record<string, unknown>): ExecutionEvent {
  const date = (v: unknown): Date | undefined => (typeof v === 'number' ? new Date(v) : undefined);
  if (raw.type === 'progress') {
    return {
      type: 'progress',
      key: raw.key as string,
      seq: raw.seq as number,
      current: raw.current as number,
      total: raw.total as number,
      message: (raw.message as string | null | undefined) ?? null,
      updatedAt: new Date(raw.updatedAt as number),
    };
  }
  return stripUndefined({
    type: 'state',
    key: raw.key as string,
    seq: raw.seq as number,
    state: raw.state as ExecutionState,
    when: date(raw.when),
    worker: raw.worker as string | undefined,
    startedAt: date(raw.startedAt),
    completedAt: date(raw.completedAt),
    error: raw.error as string | undefined,
    attempt: raw.attempt as number | undefined,
    waitingFor: raw.waitingFor as string | undefined,
  });
}

/** Drops the fields that are undefined, so events compare and print cleanly. */
export function stripUndefined<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}
