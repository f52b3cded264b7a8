/**
 * Renders a task call for log lines: `processPayment(customerId='12345', creditCard=..., amount=150)`.
 *
 * Only `@Logged()` arguments show a value; every other argument shows `name=...`, whatever its
 * value, so that an unmarked argument can never reach a log. Injected parameters are not
 * arguments and are left out before this runs.
 */
import { inspect } from 'node:util';

/** One argument position as the renderer sees it. */
export interface CallParam {
  readonly name: string;
  /** Takes every remaining argument (`...rest`). */
  readonly rest: boolean;
  /** How to show the value; undefined hides it. */
  readonly logged?: { readonly lengthOnly: boolean };
}

const INSPECT_OPTIONS = {
  depth: 2,
  breakLength: Infinity,
  compact: true,
  maxArrayLength: 10,
  maxStringLength: 200,
  colors: false,
} as const;

/**
 * The call of `taskName` with `args`, as a log line shows it.
 *
 * @example
 * renderCall('pay', [{ name: 'id', rest: false, logged: { lengthOnly: false } }, { name: 'card', rest: false }], ['7', 'x']);
 * // "pay(id='7', card=...)"
 */
export function renderCall(taskName: string, params: readonly CallParam[], args: readonly unknown[]): string {
  const rendered = args.map((value, i) => {
    const param = params[i] ?? (params.at(-1)?.rest ? params.at(-1) : undefined);
    const name = param ? param.name : `arg${i}`;
    return `${name}=${param?.logged ? renderValue(value, param.logged.lengthOnly) : '...'}`;
  });
  return `${taskName}(${rendered.join(', ')})`;
}

function renderValue(value: unknown, lengthOnly: boolean): string {
  if (lengthOnly) {
    if (typeof value === 'string' || Array.isArray(value)) return `[len ${value.length}]`;
    if (ArrayBuffer.isView(value)) return `[len ${value.byteLength}]`;
    if (value instanceof Map || value instanceof Set) return `{len ${value.size}}`;
    if (value !== null && typeof value === 'object') return `{len ${Object.keys(value).length}}`;
  }
  return inspect(value, INSPECT_OPTIONS);
}
