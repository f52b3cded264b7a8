/** The output of `docket strikes`, `docket strike` and `docket restore` as JSON. */
import { describeStrike, type Strike, type StrikeOperator, type StrikeScalar } from '../../core/tasks/strike';
import { strikeArguments } from '../strike-value';

/** A strike's value in JSON: a bigint as a string of digits, a date as ISO 8601. */
export type StrikeScalarJson = string | number | boolean | null;

/**
 * A strike in JSON. `task` is null for every task that has the parameter; `parameter`,
 * `operator` and `value` are null for a whole task. `args` are the arguments of
 * `docket restore` that lift it, with the value's type written out (`int:5`).
 */
export type StrikeJson = {
  task: string | null;
  parameter: string | null;
  operator: StrikeOperator | null;
  value: StrikeScalarJson | StrikeScalarJson[];
  description: string;
  args: string[];
};

/**
 * A strike as JSON.
 *
 * @example
 * strikeJson({ task: 'pay', parameter: 'amount', operator: '>', value: 5 });
 * // { task: 'pay', parameter: 'amount', operator: '>', value: 5, description: 'pay(amount > 5)', args: ['pay', 'amount', '>', 'int:5'] }
 */
export function strikeJson(strike: Strike): StrikeJson {
  const value = strike.value ?? null;
  const hasParameter = strike.parameter !== undefined;
  return {
    task: strike.task ?? null,
    parameter: strike.parameter ?? null,
    operator: hasParameter ? (strike.operator ?? '==') : null,
    value: Array.isArray(value) ? value.map(scalarJson) : scalarJson(value as StrikeScalar),
    description: describeStrike(strike),
    args: strikeArguments(strike),
  };
}

function scalarJson(value: StrikeScalar): StrikeScalarJson {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'bigint' ? value.toString() : value;
}
