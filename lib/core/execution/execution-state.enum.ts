/**
 * Where an execution is in its life. The string values are what Redis and the events carry.
 *
 * @example
 * if (execution.state === ExecutionState.COMPLETED) console.log(execution.completedAt);
 */
export enum ExecutionState {
  /** Waiting in the queue for its due time. */
  SCHEDULED = 'scheduled',
  /** Due, in the stream, waiting for a worker. */
  QUEUED = 'queued',
  /** A worker is running it. */
  RUNNING = 'running',
  /** It finished and its result (if any) is stored for `executionTtl`. */
  COMPLETED = 'completed',
  /** It threw; the error is stored for `executionTtl`. */
  FAILED = 'failed',
  /** It was cancelled before it could finish. */
  CANCELLED = 'cancelled',
}

/**
 * True for COMPLETED, FAILED and CANCELLED: states after which nothing changes.
 *
 * @example
 * isTerminal(ExecutionState.RUNNING); // false
 */
export function isTerminal(state: ExecutionState): boolean {
  return (
    state === ExecutionState.COMPLETED ||
    state === ExecutionState.FAILED ||
    state === ExecutionState.CANCELLED
  );
}

/**
 * What an `add()` or `replace()` call did, kept on the returned execution.
 *
 * @example
 * const e = await docket.add(task, { key: 'nightly' })();
 * if (e.disposition === Disposition.ALREADY_SCHEDULED) console.log('it was already pending');
 */
export enum Disposition {
  /** The execution was read back from Redis, not scheduled by this call. */
  LOADED = 'loaded',
  /** This call scheduled (or queued) the execution. */
  SCHEDULED = 'scheduled',
  /** An execution with this key was already scheduled, queued or running: nothing changed. */
  ALREADY_SCHEDULED = 'already-scheduled',
  /** This call superseded an earlier execution with the same key. */
  REPLACED = 'replaced',
  /** The task (or these arguments) is struck (see `Docket.strike`): nothing was written. */
  STRUCK = 'struck',
  /** The call came within its task's cooldown window (see `cooldown`): it was dropped, nothing was written. */
  IN_COOLDOWN = 'in-cooldown',
}

const STATES: ReadonlySet<unknown> = new Set(Object.values(ExecutionState));

/**
 * True when `value` is one of the six states: what is read back or heard may be anything.
 *
 * @example
 * if (!isExecutionState(hash.state)) throw new Error('not a record of ours');
 */
export function isExecutionState(value: unknown): value is ExecutionState {
  return STATES.has(value);
}
