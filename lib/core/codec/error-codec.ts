import type { Codec } from './codec';
import { DocketTaskError, SerializationError, TaskTimeoutError, UnknownTaskError } from '../errors/docket.errors';

/** A class of errors that can be rebuilt by name on the producer's side. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** A failure as stored in Redis: enough to rebuild it, readable without the class. */
export interface SerializedFailure {
  /** The constructor's name, used to find the class again (`NotFoundException`). */
  className: string;
  /** The error's `name` property. */
  name: string;
  message: string;
  stack?: string;
  /** The own fields of the error (HttpException's `response` and `status`, say), encoded. */
  fields?: string;
  cause?: SerializedFailure;
  /** An AggregateError's errors (the first {@link MAX_AGGREGATED}). */
  errors?: SerializedFailure[];
}

/**
 * How much of a failure's text is kept: a task that throws a megabyte of message must not have
 * it stored, published in every event and logged. Longer text is cut, saying how much was cut.
 */
export const MAX_MESSAGE_CHARS = 8_192;
export const MAX_STACK_CHARS = 16_384;
/** The one-line summary kept on the record and carried by events (`error`). */
export const MAX_SUMMARY_CHARS = 1_000;
const MAX_AGGREGATED = 100;

/** `text` cut to `max` characters, saying how many were cut. */
function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

const BUILT_INS: ErrorClass[] = [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  TaskTimeoutError,
  UnknownTaskError,
  SerializationError,
];
const SKIPPED_FIELDS = new Set(['name', 'message', 'stack', 'cause']);
const MAX_CAUSE_DEPTH = 8;

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return `a non-Error value was thrown: ${JSON.stringify(value) ?? String(value)}`;
  } catch {
    return `a non-Error value was thrown: ${String(value)}`;
  }
}

/**
 * Stores failures with their class name, message, stack, cause chain and own fields, and rebuilds
 * them as instances of the original class where the class is known here (built-ins and the classes
 * registered with {@link ErrorCodec.register}), else as {@link DocketTaskError}.
 */
export class ErrorCodec {
  private readonly classes = new Map<string, ErrorClass>();

  constructor(private readonly codec: Codec) {
    for (const cls of BUILT_INS) this.classes.set(cls.name, cls);
  }

  /** Makes `cls` known by its name, so that failures of that class are rethrown as such. */
  register(cls: ErrorClass): void {
    this.classes.set(cls.name, cls);
  }

  /** Turns anything a task threw into a storable failure. */
  serialize(thrown: unknown, depth = 0): SerializedFailure {
    if (!(thrown instanceof Error)) {
      return { className: 'Error', name: 'Error', message: describeThrown(thrown) };
    }
    const failure: SerializedFailure = {
      className: thrown.constructor?.name || 'Error',
      name: String(thrown.name),
      message: bounded(String(thrown.message), MAX_MESSAGE_CHARS),
      stack: typeof thrown.stack === 'string' ? bounded(thrown.stack, MAX_STACK_CHARS) : undefined,
    };
    const keys = Object.keys(thrown).filter((k) => !SKIPPED_FIELDS.has(k));
    if (keys.length > 0) failure.fields = this.encodeFields(thrown as unknown as Record<string, unknown>, keys);
    if (thrown.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
      failure.cause = this.serialize(thrown.cause, depth + 1);
    }
    if (thrown instanceof AggregateError && Array.isArray(thrown.errors) && depth < MAX_CAUSE_DEPTH) {
      failure.errors = (thrown.errors as unknown[]).slice(0, MAX_AGGREGATED).map((e) => this.serialize(e, depth + 1));
    }
    return failure;
  }

  /**
   * The error's own fields, encoded together; when one cannot be carried (a function, say), each
   * is encoded alone and those that cannot be are replaced by a note naming why.
   */
  private encodeFields(thrown: Record<string, unknown>, keys: readonly string[]): string {
    const own = Object.fromEntries(keys.map((k) => [k, thrown[k]]));
    try {
      return this.codec.encode(own, 'error');
    } catch {
      const carried = Object.fromEntries(
        keys.map((k) => {
          try {
            this.codec.encode(own[k], `error.${k}`);
            return [k, own[k]];
          } catch (err) {
            return [k, `[not carried: ${err instanceof Error ? err.message : String(err)}]`];
          }
        }),
      );
      return this.codec.encode(carried, 'error');
    }
  }

  /** The one-line summary kept on the execution record: `TypeError: bad input`. */
  summary(failure: SerializedFailure): string {
    return bounded(`${failure.name}: ${failure.message}`, MAX_SUMMARY_CHARS);
  }

  /**
   * The failure stored as JSON, rebuilt; one that cannot be read (damaged in the store) becomes a
   * DocketTaskError with `summary`.
   */
  fromStored(stored: string, summary: string): Error {
    try {
      return this.deserialize(JSON.parse(stored) as SerializedFailure);
    } catch {
      return new DocketTaskError('Error', `${summary} (its stored failure cannot be read)`);
    }
  }

  /** Rebuilds the failure as an error of its original class where known. */
  deserialize(failure: SerializedFailure): Error {
    const cls = this.classes.get(failure.className);
    const error: Error = cls
      ? (Object.create(cls.prototype as object) as Error)
      : new DocketTaskError(failure.className, failure.message);
    const define = (key: string, value: unknown, enumerable = false): void => {
      Object.defineProperty(error, key, { value, enumerable, writable: true, configurable: true });
    };
    define('message', failure.message);
    define('stack', failure.stack ?? `${failure.name}: ${failure.message}`);
    if (cls && error.name !== failure.name) define('name', failure.name);
    if (failure.fields) {
      const fields = this.codec.decode(failure.fields) as Record<string, unknown>;
      for (const [k, v] of Object.entries(fields)) define(k, v, true);
    }
    if (failure.cause) define('cause', this.deserialize(failure.cause));
    if (failure.errors) define('errors', failure.errors.map((e) => this.deserialize(e)));
    return error;
  }
}
