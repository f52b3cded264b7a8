/**
 * Pure conversions of the dashboard's server: records and events of the engine into the rows,
 * outcomes and timeline entries the page shows. No argument value reaches the page except through
 * the task's own `describe` (the `@Logged` rules of the logs).
 */
import type { ExecutionEvent, ExecutionStateEvent } from '../../core/execution/execution-event';
import { ExecutionState, isTerminal } from '../../core/execution/execution-state.enum';
import { describeWaitingFor } from '../../core/execution/waiting-for';
import type { Docket } from '../../core/producer/docket';
import type { ExecutionRecord } from '../../core/store';
import type { WireOutcome, WireRow, WireState, WireTimelineEntry } from '../dashboard-wire';

/** The most characters of one text (a message, an error, a call) the page is sent. */
const TEXT_LIMIT = 2_000;

/**
 * A text cut to what the page shows, saying how long it was.
 *
 * @example
 * clip(error); // 'Error: …… (204800 characters)'
 */
export function clip<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' && text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}… (${text.length} characters)` : text) as T;
}

/** What a run waits for, in the words the CLI uses too. */
function waitWords(waitingFor: string | undefined): string | undefined {
  return waitingFor === undefined ? undefined : clip(describeWaitingFor(waitingFor));
}

/** A row as the server keeps it: what the page sees, and the seq of the last event it took in. */
export interface BoardRow extends WireRow {
  readonly seq: number;
}

/**
 * The call as the logs render it: the task's `describe` (arguments marked `@Logged` only), or
 * every argument as `...` when this process does not know the task or cannot read the arguments.
 *
 * @example
 * callOf(docket, 'processOrder', record.args); // "processOrder(customerId='ada', items=[len 2], delayMs=80)"
 */
export function callOf(docket: Docket, task: string, encodedArgs: string | undefined): string {
  const definition = docket.tasks.get(task);
  let args: unknown[];
  try {
    const decoded = encodedArgs ? docket.codec.decode(encodedArgs) : [];
    args = Array.isArray(decoded) ? decoded : [];
  } catch {
    return `${task}(…)`;
  }
  if (definition?.describe) {
    try {
      return clip(definition.describe(args));
    } catch {
      return `${task}(…)`;
    }
  }
  return `${task}(${args.map(() => '...').join(', ')})`;
}

/**
 * A row as the page gets it, without the seq the server orders events by.
 *
 * @example
 * sink.emit({ type: 'row', docket: name, row: withoutSeq(row) });
 */
export function withoutSeq({ seq: _seq, ...row }: BoardRow): WireRow {
  return row;
}

/**
 * The row of a record (pending or running, or, for one execution's view, any).
 *
 * @example
 * const row = rowOf(docket, record);
 */
export function rowOf(docket: Docket, record: ExecutionRecord): BoardRow {
  const progress = record.progress;
  return {
    key: record.key,
    task: record.task,
    call: callOf(docket, record.task, record.args),
    state: record.state,
    when: record.when,
    worker: record.worker,
    startedAt: record.startedAt,
    attempt: record.attempt,
    waitingFor: waitWords(record.waitingFor),
    recurrence: record.recurrence,
    error: clip(record.error),
    progress: progress && { current: progress.current, total: progress.total, message: clip(progress.message), updatedAt: progress.updatedAt },
    seq: record.seq,
  };
}

/**
 * The row after a state event that leaves it pending or running. A run queued or scheduled again
 * (a retry, a wait for a place) has no worker, start or progress until one claims it.
 *
 * @example
 * row = rowAfter(row, event);
 */
export function rowAfter(row: BoardRow, event: ExecutionStateEvent): BoardRow {
  const waiting = event.state === ExecutionState.QUEUED || event.state === ExecutionState.SCHEDULED;
  return {
    ...row,
    state: event.state,
    when: event.when?.getTime() ?? row.when,
    worker: waiting ? undefined : (event.worker ?? row.worker),
    startedAt: waiting ? undefined : (event.startedAt?.getTime() ?? row.startedAt),
    progress: waiting ? undefined : row.progress,
    attempt: event.attempt ?? row.attempt,
    waitingFor: waitWords(event.waitingFor),
    error: clip(event.error) ?? row.error,
    seq: event.seq,
  };
}

/**
 * The outcome of a run that ended with `event`, named and rendered from what is known of it.
 *
 * @example
 * outcomes.unshift(outcomeOf(event, row));
 */
export function outcomeOf(event: ExecutionStateEvent, known: Pick<WireRow, 'task' | 'call' | 'startedAt' | 'worker'>): WireOutcome {
  return {
    key: event.key,
    task: known.task,
    call: known.call,
    state: event.state as WireOutcome['state'],
    startedAt: event.startedAt?.getTime() ?? known.startedAt,
    completedAt: event.completedAt?.getTime() ?? Date.now(),
    error: clip(event.error),
    worker: event.worker ?? known.worker,
  };
}

/**
 * The outcome of a finished record (heard of only after it ended).
 *
 * @example
 * const outcome = outcomeOfRecord(docket, record);
 */
export function outcomeOfRecord(docket: Docket, record: ExecutionRecord): WireOutcome {
  return {
    key: record.key,
    task: record.task,
    call: callOf(docket, record.task, record.args),
    state: record.state as WireOutcome['state'],
    startedAt: record.startedAt,
    completedAt: record.completedAt ?? Date.now(),
    error: clip(record.error),
    worker: record.worker,
  };
}

/**
 * One event as a timeline entry.
 *
 * @example
 * timeline.push(entryOf(event));
 */
export function entryOf(event: ExecutionEvent): WireTimelineEntry {
  if (event.type === 'progress') {
    return { at: event.updatedAt.getTime(), type: 'progress', current: event.current, total: event.total, message: clip(event.message) };
  }
  const at = (isTerminal(event.state) ? event.completedAt : event.state === ExecutionState.RUNNING ? event.startedAt : undefined) ?? new Date();
  return { at: at.getTime(), type: 'state', state: event.state as WireState, worker: event.worker, error: clip(event.error), waitingFor: waitWords(event.waitingFor) };
}
