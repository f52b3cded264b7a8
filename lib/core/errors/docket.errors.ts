/**
 * Named failures of nestjs-docket. Each says what was wrong and what to do about it.
 */

/**
 * The base class of every error nestjs-docket raises itself.
 *
 * @example
 * try { await docket.add('nope')(); } catch (e) { if (e instanceof DocketError) console.error(e.message); }
 */
export class DocketError extends Error {
  override name = 'DocketError';
}

/**
 * A task was named that this docket does not know.
 *
 * @example
 * await docket.add('sendEmial')(); // throws UnknownTaskError: no task named "sendEmial" is registered …
 */
export class UnknownTaskError extends DocketError {
  override name = 'UnknownTaskError';
  constructor(
    readonly taskName: string,
    known: readonly string[],
    /** What a worker says instead, once no live worker of the docket has the task. */
    detail?: string,
  ) {
    super(
      detail ??
        `No task named "${taskName}" is registered on this docket. ` +
          `Registered tasks: ${known.length ? known.map((n) => `"${n}"`).join(', ') : '(none)'}. ` +
          `Register it with docket.register(fn, { name }) or a @Task() method.`,
    );
  }
}

/**
 * Two different functions were registered under one task name, or one function twice with
 * different options.
 *
 * @example
 * docket.register(a, { name: 'x' }); docket.register(b, { name: 'x' }); // throws DuplicateTaskError
 * docket.register(f); docket.register(f, { timeout: 5_000 }); // throws: timeout: none → 5000
 */
export class DuplicateTaskError extends DocketError {
  override name = 'DuplicateTaskError';
  constructor(readonly taskName: string, detail = '', advice = `Give one of them another name with { name: '…' }.`) {
    super(`Task name "${taskName}" is registered twice${detail ? ` (${detail})` : ''}. ${advice}`);
  }
}

/**
 * A value could not be carried to the worker (or back): a function, a symbol, a WeakMap …
 * Nothing was written to Redis.
 *
 * @example
 * await docket.add(task)(() => 1); // throws SerializationError naming `argument 1`
 */
export class SerializationError extends DocketError {
  override name = 'SerializationError';
  constructor(
    readonly path: string,
    readonly reason: string,
    context = '',
  ) {
    super(
      `Cannot serialize ${path}${context ? ` of ${context}` : ''}: ${reason}. ` +
        `Pass plain data (JSON values, Date, BigInt, Map, Set, Uint8Array, undefined) instead.`,
    );
  }
}

/**
 * Options that contradict each other or are out of range; rejected before any I/O.
 *
 * @example
 * await execution.getResult({ timeout: 1000, deadline: new Date() }); // throws InvalidOptionsError
 */
export class InvalidOptionsError extends DocketError {
  override name = 'InvalidOptionsError';
}

/**
 * Waiting for an execution's result took longer than the given timeout or deadline.
 * The execution itself goes on; wait again or cancel it.
 *
 * @example
 * try { await execution.getResult({ timeout: 30_000 }); } catch (e) { if (e instanceof TimeoutError) … }
 */
export class TimeoutError extends DocketError {
  override name = 'TimeoutError';
  constructor(readonly key: string, waitedMs: number) {
    super(
      `Timed out after ${waitedMs} ms waiting for execution "${key}" to finish. ` +
        `It is still pending or running; wait again with a longer timeout, or cancel it.`,
    );
  }
}

/**
 * A run took longer than its task's `timeout`: its AbortSignal was aborted with this error, and
 * the run failed with it (and is tried again if the task has `retry`). A task that ignores its
 * signal goes on in the background, but its outcome no longer counts.
 *
 * @example
 * docket.register(fetchFeed, { timeout: 30_000 });
 * await execution.getResult(); // throws TaskTimeoutError when the run took over 30 s
 */
export class TaskTimeoutError extends DocketError {
  override name = 'TaskTimeoutError';
  constructor(
    readonly taskName: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Task "${taskName}" ran longer than its timeout of ${timeoutMs} ms and was aborted. ` +
        `Give it a longer { timeout } where it is registered, or let it stop sooner on its AbortSignal.`,
    );
  }
}

/**
 * The execution was cancelled before it could finish; it has no result.
 * A running task sees the same error as the reason of its AbortSignal.
 *
 * @example
 * await docket.cancel(execution.key);
 * await execution.getResult(); // throws ExecutionCancelledError
 */
export class ExecutionCancelledError extends DocketError {
  override name = 'ExecutionCancelledError';
  constructor(readonly key: string) {
    super(`Execution "${key}" was cancelled.`);
  }
}

/**
 * The call was not added because its task, or one of its arguments, is struck (see
 * `Docket.strike`). It is a cancellation: `catch (e) { if (e instanceof ExecutionCancelledError) … }`
 * catches it too.
 *
 * @example
 * const execution = await docket.add(sendEmail)('a@b.c'); // execution.disposition === Disposition.STRUCK
 * await execution.getResult(); // throws TaskStruckError
 */
export class TaskStruckError extends ExecutionCancelledError {
  override name = 'TaskStruckError';
  constructor(
    key: string,
    readonly taskName: string,
    readonly strike: string,
  ) {
    super(key);
    this.message =
      `Execution "${key}" of task "${taskName}" was not added: ${strike} is struck. ` +
      `Restore it (docket.restore, or \`docket restore\` on the command line) and add the call again.`;
  }
}

/**
 * A call of a task with a `cooldown` came within the window of the call before it (of the same
 * task, or of the same value of its key): it was dropped, nothing was written. Its execution
 * says `Disposition.IN_COOLDOWN`; `getResult()` throws this.
 *
 * @example
 * const execution = await docket.add(sendAlert)('disk full');
 * if (execution.disposition === Disposition.IN_COOLDOWN) console.log('alerted lately; dropped');
 */
export class TaskInCooldownError extends ExecutionCancelledError {
  override name = 'TaskInCooldownError';
  constructor(
    key: string,
    readonly taskName: string,
    readonly windowMs: number,
  ) {
    super(key);
    this.message = `Execution "${key}" of task "${taskName}" was not added: it came within the ${windowMs} ms cooldown of an earlier call, and was dropped.`;
  }
}

/**
 * No execution record exists for the key: it was never added, or its record outlived
 * `executionTtl` and expired.
 *
 * @example
 * await docket.execution('gone').sync(); // throws ExecutionNotFoundError
 */
export class ExecutionNotFoundError extends DocketError {
  override name = 'ExecutionNotFoundError';
  constructor(readonly key: string) {
    super(
      `No execution "${key}" exists: it was never added, or it finished longer ago than ` +
        `executionTtl and its record expired.`,
    );
  }
}

/**
 * Redis could not be reached, or its URL is malformed. The message names the URL (without its
 * password).
 *
 * @example
 * await new Docket({ url: 'redis://127.0.0.1:1' }).connect(); // throws RedisUnavailableError
 */
export class RedisUnavailableError extends DocketError {
  override name = 'RedisUnavailableError';
  constructor(readonly url: string, detail: string) {
    super(`Redis at ${url} is unavailable: ${detail.replace(/\.$/, '')}. Check that it runs and that the URL is right.`);
  }
}

/**
 * A task failed with an error whose class this process does not know. It carries the
 * original class name, message, stack, cause and own fields.
 *
 * @example
 * try { await execution.getResult(); } catch (e) { if (e instanceof DocketTaskError) console.log(e.originalName); }
 */
export class DocketTaskError extends DocketError {
  override name = 'DocketTaskError';
  constructor(
    /** The class name of the original error (`PaymentDeclinedError`). */
    readonly originalName: string,
    message: string,
  ) {
    super(message);
  }
}
