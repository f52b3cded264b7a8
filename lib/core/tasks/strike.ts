/**
 * Strikes, as callers write them: rules that stop a task, or the calls of a task whose
 * arguments match, from running, without a deploy (see strike-list.ts for how they are kept).
 */

/**
 * How a strike compares an argument with its value. `between` takes `[lower, upper]`, both
 * included.
 *
 * @example
 * const op: StrikeOperator = '>=';
 */
export type StrikeOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'between';

/** The operators, in the order help texts list them. */
export const STRIKE_OPERATORS: readonly StrikeOperator[] = ['==', '!=', '>', '>=', '<', '<=', 'between'];

/**
 * A value a strike compares arguments with. Numbers and bigints compare with each other, Dates
 * by their time, strings by code unit; values of other types never match, except under `!=`.
 *
 * @example
 * const value: StrikeScalar = new Date('2026-01-01');
 */
export type StrikeScalar = string | number | bigint | boolean | Date | null;

/**
 * A strike's value: one scalar, or `[lower, upper]` for `between`.
 *
 * @example
 * const range: StrikeValue = [100, 1_000];
 */
export type StrikeValue = StrikeScalar | readonly [StrikeScalar, StrikeScalar];

/**
 * A strike rule.
 *
 * - `{ task }`: every call of the task.
 * - `{ task, parameter, operator, value }`: the task's calls whose argument `parameter` matches.
 * - `{ parameter, operator, value }`: the calls of every task that has that parameter.
 *
 * Parameters are the task function's own names (for a `@Task()` method, the caller's
 * arguments: injected ones are not parameters here). `operator` defaults to `==`.
 *
 * @example
 * await docket.strike({ task: 'sendEmail', parameter: 'customerId', value: 'c-42' });
 * await docket.strike({ parameter: 'amount', operator: '>', value: 10_000 });
 */
export interface Strike {
  readonly task?: string;
  readonly parameter?: string;
  readonly operator?: StrikeOperator;
  readonly value?: StrikeValue;
}

/**
 * Renders a strike for logs and the command line: `sendEmail`, `sendEmail(customerId == 'c-42')`,
 * `*(amount > 10000)`.
 *
 * @example
 * describeStrike({ task: 'pay', parameter: 'amount', operator: '>', value: 5 }); // "pay(amount > 5)"
 */
export function describeStrike(strike: Strike): string {
  const task = strike.task ?? '*';
  if (strike.parameter === undefined) return task;
  const value = strike.value;
  const shown = Array.isArray(value) ? `[${value.map(showScalar).join(', ')}]` : showScalar(value as StrikeScalar);
  return `${task}(${strike.parameter} ${strike.operator ?? '=='} ${shown})`;
}

function showScalar(value: StrikeScalar | undefined): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
