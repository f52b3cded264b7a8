/**
 * The arguments of `docket strike` and `docket restore`, read into a {@link Strike}: a task
 * (`*` for every task), a parameter, an operator and a VALUE written `type:value` — `int:5`,
 * `float:1.5`, `bigint:12345678901234567890`, `bool:true`, `date:2026-01-01T00:00:00Z`, `null`,
 * `str:anything` — or a bare string; for `between`, `LOWER..UPPER` (`int:100..int:1000`).
 * Pure, so that a mistake is reported before any connection is made.
 */
import { STRIKE_OPERATORS, type Strike, type StrikeOperator, type StrikeScalar, type StrikeValue } from '../core/tasks/strike';

/** What a VALUE may look like, for error messages and help texts. */
export const STRIKE_VALUE_FORMS =
  'int:5, float:1.5, bigint:12345678901234567890, bool:true, date:2026-01-01T00:00:00Z, null, str:text, or a bare word (a string)';

/** What a `between` VALUE looks like, for error messages and help texts. */
export const STRIKE_RANGE_FORM = 'LOWER..UPPER, each side a value, e.g. int:100..int:1000';

/** `type:` prefixes: a word, then a colon. `10:30` or `c-42` are bare strings. */
const TYPED = /^([A-Za-z][A-Za-z0-9_]*):([\s\S]*)$/;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** ISO 8601: a date, optionally a time (T or a space), optionally a zone (without one, local time). */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

type ValueParser = (raw: string) => StrikeScalar;

const PARSERS: ReadonlyMap<string, ValueParser> = new Map<string, ValueParser>([
  [
    'int',
    (raw) => {
      if (!INTEGER.test(raw)) throw new Error('int: takes a whole number, like int:5 or int:-3');
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw new Error(`${raw} is beyond the exact range of int: (±${Number.MAX_SAFE_INTEGER}); write bigint:${raw}`);
      return n;
    },
  ],
  [
    'float',
    (raw) => {
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(n)) throw new Error('float: takes a decimal number, like float:1.5 or float:2e-3');
      return n;
    },
  ],
  [
    'bigint',
    (raw) => {
      if (!INTEGER.test(raw)) throw new Error('bigint: takes a whole number, like bigint:12345678901234567890');
      return BigInt(raw);
    },
  ],
  [
    'bool',
    (raw) => {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new Error('bool: takes true or false');
      return lower === 'true';
    },
  ],
  ['date', parseDate],
  ['str', (raw) => raw],
]);

function parseDate(raw: string): Date {
  const iso = ISO_DATE.exec(raw);
  const date = new Date(raw);
  if (iso && !Number.isNaN(date.getTime())) {
    // V8 reads 2026-02-31 as March 3rd: check that the day exists.
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day) return date;
  }
  throw new Error('date: takes an ISO 8601 date or date-time, like date:2026-01-01 or date:2026-01-01T00:00:00Z');
}

/**
 * Reads one VALUE: `int:5` is 5, `bigint:5` is 5n, `date:…` a Date, `null` null, `str:x` and a
 * bare `x` the string "x".
 *
 * @throws RangeError naming the text, what is wrong with it, and the accepted forms
 * @example
 * parseStrikeValue('int:10000'); // 10000
 * parseStrikeValue('c-42'); // 'c-42'
 */
export function parseStrikeValue(text: string): StrikeScalar {
  if (text === 'null') return null;
  const typed = TYPED.exec(text);
  if (!typed) return text;
  const [, type, raw] = typed;
  const parse = PARSERS.get(type);
  if (!parse) {
    throw new RangeError(
      `"${text}" is not a valid value: there is no type "${type}:" (a string with a colon in it is written str:${text}). ` +
        `Values look like ${STRIKE_VALUE_FORMS}.`,
    );
  }
  try {
    return parse(raw);
  } catch (err) {
    throw new RangeError(`"${text}" is not a valid value: ${(err as Error).message}. Values look like ${STRIKE_VALUE_FORMS}.`);
  }
}

/**
 * Reads a `between` VALUE, `LOWER..UPPER`, each side as {@link parseStrikeValue} reads it.
 *
 * @throws RangeError naming the text and the accepted form
 * @example
 * parseStrikeRange('int:100..int:1000'); // [100, 1000]
 */
export function parseStrikeRange(text: string): readonly [StrikeScalar, StrikeScalar] {
  const sides = text.split('..');
  if (sides.length !== 2 || sides[0] === '' || sides[1] === '') {
    throw new RangeError(`"${text}" is not a range: between takes ${STRIKE_RANGE_FORM}.`);
  }
  return [parseStrikeValue(sides[0]), parseStrikeValue(sides[1])];
}

/** The positional arguments of `docket strike` and `docket restore`, as typed. */
export interface StrikeArguments {
  /** A task name; `*` (or nothing) for every task. */
  readonly task?: string;
  readonly parameter?: string;
  /** One of {@link STRIKE_OPERATORS}; `==` when left out. */
  readonly operator?: string;
  /** A VALUE (see {@link parseStrikeValue}); for `between`, a range (see {@link parseStrikeRange}). */
  readonly value?: string;
}

const isOperator = (text: string): text is StrikeOperator => (STRIKE_OPERATORS as readonly string[]).includes(text);

/**
 * Reads the command line's TASK PARAMETER OPERATOR VALUE into a strike rule.
 *
 * @throws RangeError saying what is missing or wrong, with an example of what is right
 * @example
 * parseStrikeArguments({ task: '*', parameter: 'amount', operator: '>', value: 'int:10000' });
 * // { parameter: 'amount', operator: '>', value: 10000 }
 */
export function parseStrikeArguments(args: StrikeArguments): Strike {
  const task = args.task === undefined || args.task === '' || args.task === '*' ? undefined : args.task;
  const parameter = args.parameter === '' ? undefined : args.parameter;
  if (task === undefined && parameter === undefined) {
    throw new RangeError(
      'give a task, a parameter, or both: e.g. `sendEmail`, `sendEmail customerId == c-42`, or `"*" amount ">" int:10000` for every task.',
    );
  }
  if (parameter === undefined) {
    if (args.operator !== undefined || args.value !== undefined) {
      throw new RangeError(`a value needs a parameter to compare with: e.g. \`${task} customerId == c-42\`.`);
    }
    return { task };
  }
  const operator = args.operator ?? '==';
  if (!isOperator(operator)) throw new RangeError(`"${operator}" is not an operator: use one of ${STRIKE_OPERATORS.join(' ')}.`);
  if (args.value === undefined) {
    throw new RangeError(
      `give a value to compare ${parameter} with: e.g. \`${task ?? '"*"'} ${parameter} ${operator} ${operator === 'between' ? 'int:100..int:1000' : 'int:5'}\`. ` +
        `Values look like ${STRIKE_VALUE_FORMS}.`,
    );
  }
  let value: StrikeValue;
  if (operator === 'between') {
    value = parseStrikeRange(args.value);
  } else {
    const scalar = parseStrikeValue(args.value);
    if (operator !== '==' && operator !== '!=' && (scalar === null || typeof scalar === 'boolean')) {
      throw new RangeError(`${operator} cannot order ${String(scalar)}: compare it with == or !=.`);
    }
    value = scalar;
  }
  return task === undefined ? { parameter, operator, value } : { task, parameter, operator, value };
}

/**
 * Writes a value the way {@link parseStrikeValue} reads it back: `int:5`, `float:1.5`,
 * `bigint:…`, `bool:true`, `date:…`, `null`, and a string bare when it reads back as itself
 * (else `str:…`, also for one that starts with `-`, which a shell command line takes for an option).
 *
 * @example
 * formatStrikeValue(10_000); // 'int:10000'
 * formatStrikeValue('c-42'); // 'c-42'
 * formatStrikeValue('null'); // 'str:null'
 */
export function formatStrikeValue(value: StrikeScalar): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `date:${value.toISOString()}`;
  switch (typeof value) {
    case 'number':
      return Number.isSafeInteger(value) ? `int:${value}` : `float:${value}`;
    case 'bigint':
      return `bigint:${value}`;
    case 'boolean':
      return `bool:${value}`;
    default:
      return value === '' || value === 'null' || value.startsWith('-') || value.includes('..') || TYPED.test(value) ? `str:${value}` : value;
  }
}

/**
 * The arguments of `docket strike` (or `docket restore`) that make (or lift) `strike`: the
 * inverse of {@link parseStrikeArguments}.
 *
 * @example
 * strikeArguments({ task: 'chargeCard', parameter: 'amount', operator: '>', value: 10_000 });
 * // ['chargeCard', 'amount', '>', 'int:10000']
 */
export function strikeArguments(strike: Strike): string[] {
  const task = strike.task ?? '*';
  if (strike.parameter === undefined) return [task];
  const value = strike.value ?? null;
  const written = isRange(value) ? `${formatStrikeValue(value[0])}..${formatStrikeValue(value[1])}` : formatStrikeValue(value);
  return [task, strike.parameter, strike.operator ?? '==', written];
}

function isRange(value: StrikeValue): value is readonly [StrikeScalar, StrikeScalar] {
  return Array.isArray(value);
}
