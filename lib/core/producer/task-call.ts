/**
 * What a caller hands to `add`, `replace` and `call`: when, under which key, and the prepared
 * call itself.
 */
import { InvalidOptionsError } from '../errors/docket.errors';
import type { Codec } from '../codec/codec';
import type { TaskDefinition, TaskFunction } from '../tasks/task-registry';
import { admissionGroup } from '../tasks/admission';
import { executionKey } from '../util/execution-key';

/**
 * When and under which key to run: `when` (a Date) or `delay` (ms from now), and a `key`
 * (a fresh UUIDv7 by default).
 *
 * @example
 * await docket.add(sendReminder, { delay: 60_000, key: `reminder:${userId}` })(userId);
 */
export interface AddOptions {
  when?: Date;
  delay?: number;
  key?: string;
}

/**
 * Options of `replace`: the key is required, the time is as for {@link AddOptions}.
 *
 * @example
 * await docket.replace(sendDigest, { key: 'digest:42', delay: 5 * 60_000 })(42);
 */
export interface ReplaceOptions extends AddOptions {
  key: string;
}

/**
 * The arguments a caller passes to a task. The core passes all of a function's parameters; the
 * Nest layer narrows this for methods with injected parameters.
 */
export type TaskArgs<F extends TaskFunction> = Parameters<F>;

/** The awaited return type of a task: what `getResult()` yields. */
export type TaskResult<F extends TaskFunction> = Awaited<ReturnType<F>>;

/**
 * One prepared call for {@link Docket.addMany}, made by {@link Docket.call}.
 *
 * @example
 * const calls = users.map((u) => docket.call(sendEmail)(u.email));
 */
export interface TaskCall<R = unknown> {
  readonly task: TaskDefinition;
  /** `new` is an add under a key generated here (no `key` option). */
  readonly mode: 'new' | 'add' | 'replace';
  readonly when: number;
  readonly key: string;
  readonly args: string;
  /** @internal carries the result type */
  readonly _result?: R;
  /** @internal Set once it was sent: sent again, a `new` call goes as `again` (see the schedule script). */
  sent: boolean;
  /** @internal Under a caller's key: the token of its sends, made at the first (see the schedule script). */
  token: string;
  /** @internal The adding span's propagated context (JSON), '' for none. */
  trace: string;
  /** @internal For a task with a cooldown: the group this call falls in. */
  readonly cooldown?: string;
}

/** The last time a Date can hold (ms since the epoch). */
const MAX_DATE_MS = 8.64e15;

/** @internal The due time of `options` (a Date, or a delay from the moment of each call on `now`, the backend's clock). */
export function resolveWhen(options: AddOptions, now: () => number = Date.now): () => number {
  const { when, delay } = options;
  if (when !== undefined && delay !== undefined) {
    throw new InvalidOptionsError('Pass either { when } (a Date) or { delay } (ms), not both.');
  }
  if (when !== undefined) {
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) {
      throw new InvalidOptionsError('{ when } must be a valid Date.');
    }
    return () => when.getTime();
  }
  if (delay !== undefined) {
    if (!Number.isFinite(delay) || delay < 0) {
      throw new InvalidOptionsError(`{ delay } must be a number of ms ≥ 0, got ${delay}.`);
    }
    return () => {
      const at = now() + delay;
      // Past the last time a Date can hold (year 275760) there is no due time to keep.
      if (at > MAX_DATE_MS) throw new InvalidOptionsError(`{ delay } of ${delay} ms ends past the last time a Date can hold; give a delay under ${MAX_DATE_MS - now()} ms.`);
      return at;
    };
  }
  return now;
}

/** @internal Encodes a call's arguments and fixes its time and key (a fresh UUIDv7 by default). */
export function prepareCall(codec: Codec, definition: TaskDefinition, mode: 'add' | 'replace', time: () => number, key: string | undefined, args: unknown[], trace = ''): TaskCall {
  const encoded = codec.encode(args, 'args', `task "${definition.name}"`);
  const { debounce } = definition;
  if (debounce) {
    // Every call of the group replaces the one before, due a window later: the last one runs.
    const group = key ?? `debounce:${admissionGroup(definition.name, 'debounce', debounce, args)}`;
    return { task: definition, mode: 'replace', when: time() + debounce.window, key: group, args: encoded, sent: false, token: '', trace };
  }
  const when = time();
  const cooldown = definition.cooldown && admissionGroup(definition.name, 'cooldown', definition.cooldown, args);
  if (key === undefined) return { task: definition, mode: mode === 'add' ? 'new' : mode, when, key: executionKey(when), args: encoded, sent: false, token: '', trace, cooldown };
  return { task: definition, mode, when, key, args: encoded, sent: false, token: '', trace, cooldown };
}
