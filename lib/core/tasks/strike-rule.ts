/**
 * A strike checked and made ready for use: its id, the form the strikes hash keeps, how it is
 * announced, and how it matches a call's arguments.
 */
import type { Codec } from '../codec/codec';
import { InvalidOptionsError } from '../errors/docket.errors';
import { describeStrike, STRIKE_OPERATORS, type Strike, type StrikeOperator, type StrikeScalar, type StrikeValue } from './strike';
import type { TaskDefinition } from './task-registry';

/** A validated rule, with its id (its fields, encoded) and the form the hash keeps. */
export interface Rule {
  readonly strike: Strike & { readonly operator: StrikeOperator };
  readonly id: string;
  readonly stored: StoredRule;
}

/** What the hash keeps under a rule's id. */
export interface StoredRule {
  task?: string;
  parameter?: string;
  operator: StrikeOperator;
  /** The value through the docket's codec (so Dates and bigints survive). */
  value?: string;
}

/** What the strikes channel carries. */
export interface StrikeMessage {
  op: 'strike' | 'restore';
  id: string;
  rule?: StoredRule;
}

function isScalar(value: unknown): value is StrikeScalar {
  return (
    value === null ||
    typeof value === 'string' ||
    (typeof value === 'number' && !Number.isNaN(value)) ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    (value instanceof Date && !Number.isNaN(value.getTime()))
  );
}

/** @internal Checks a strike and gives it its id and stored form; throws InvalidOptionsError saying what is wrong. */
export function ruleOf(strike: Strike, codec: Codec, verb: 'strike' | 'restore' = 'strike'): Rule {
  const { task, parameter, value } = strike;
  const operator = strike.operator ?? '==';
  const say = (problem: string): never => {
    throw new InvalidOptionsError(`Cannot ${verb} ${describeStrike({ ...strike, operator })}: ${problem}`);
  };
  if (task !== undefined && (typeof task !== 'string' || task === '')) say('task must be a task name');
  if (parameter !== undefined && (typeof parameter !== 'string' || parameter === '')) say('parameter must be a parameter name');
  if (task === undefined && parameter === undefined) say('give a task, a parameter, or both');
  if (!STRIKE_OPERATORS.includes(operator)) say(`operator must be one of ${STRIKE_OPERATORS.join(' ')}`);
  if (parameter === undefined) {
    if (value !== undefined || strike.operator !== undefined) say('a value needs a parameter to compare with');
  } else if (value === undefined) {
    say('a parameter needs a value (null is one)');
  } else if (operator === 'between') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isScalar)) say('between takes [lower, upper]');
    else if (value.some((end: StrikeScalar) => end === null || typeof end === 'boolean')) say('between cannot order null or booleans');
  } else if (!isScalar(value)) {
    say('the value must be a string, number, bigint, boolean, Date or null');
  } else if (operator !== '==' && operator !== '!=' && (value === null || typeof value === 'boolean')) {
    say(`${operator} cannot order ${String(value)}`);
  }
  const stored: StoredRule = { task, parameter, operator };
  if (value !== undefined) stored.value = codec.encode(value, 'value', 'a strike');
  const id = JSON.stringify([task ?? '', parameter ?? '', operator, stored.value ?? '']);
  return { strike: { task, parameter, operator, value }, id, stored };
}

/**
 * A rule as the strikes hash (or the channel) gave it back, checked as a new one would be.
 *
 * @throws for a stored form that is not a rule (damaged, or written by something else)
 */
export function ruleFromStored(id: string, stored: unknown, codec: Codec): Rule {
  if (typeof stored !== 'object' || stored === null) throw new InvalidOptionsError('not a stored strike');
  const { task, parameter, operator, value } = stored as Record<string, unknown>;
  if (value !== undefined && typeof value !== 'string') throw new InvalidOptionsError('its value is not encoded');
  const strike = { task, parameter, operator: parameter === undefined ? undefined : operator } as Strike;
  const rule = ruleOf(value === undefined ? strike : { ...strike, value: codec.decode(value) as StrikeValue }, codec);
  return { ...rule, id };
}

/** Numbers and bigints together, Dates by time, strings with strings; undefined when they do not compare. */
function order(arg: unknown, value: StrikeScalar): number | undefined {
  const numeric = (v: unknown): v is number | bigint => (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'bigint';
  if (numeric(arg) && numeric(value)) return arg < value ? -1 : arg > value ? 1 : 0;
  if (arg instanceof Date && value instanceof Date) return Math.sign(arg.getTime() - value.getTime());
  if (typeof arg === 'string' && typeof value === 'string') return arg < value ? -1 : arg > value ? 1 : 0;
  return undefined;
}

function equal(arg: unknown, value: StrikeScalar): boolean {
  if (value === null || typeof value === 'boolean') return arg === value;
  return order(arg, value) === 0;
}

/** True when `arg` matches the rule's comparison. */
function matches(arg: unknown, operator: StrikeOperator, value: StrikeValue): boolean {
  if (operator === 'between') {
    const [lower, upper] = value as readonly [StrikeScalar, StrikeScalar];
    const low = order(arg, lower);
    const high = order(arg, upper);
    return low !== undefined && high !== undefined && low >= 0 && high <= 0;
  }
  const scalar = value as StrikeScalar;
  if (operator === '==') return equal(arg, scalar);
  if (operator === '!=') return !equal(arg, scalar);
  const sign = order(arg, scalar);
  if (sign === undefined) return false;
  return operator === '>' ? sign > 0 : operator === '>=' ? sign >= 0 : operator === '<' ? sign < 0 : sign <= 0;
}

/**
 * For a rest parameter, which takes the remaining arguments: a rule matches when one of them
 * does, and `!=` when none is equal.
 */
function matchesAny(args: readonly unknown[], operator: StrikeOperator, value: StrikeValue): boolean {
  if (operator === '!=') return !args.some((arg) => matches(arg, '==', value));
  return args.some((arg) => matches(arg, operator, value));
}

/** True when a call of `definition` with `args` is struck by the parameter rule `strike`. */
export function strikesCall(strike: Rule['strike'], definition: Pick<TaskDefinition, 'parameters'>, args: readonly unknown[]): boolean {
  const at = definition.parameters.findIndex((p) => p.name === strike.parameter);
  if (at < 0 || at >= args.length) return false;
  const value = strike.value as StrikeValue;
  return definition.parameters[at].rest ? matchesAny(args.slice(at), strike.operator, value) : matches(args[at], strike.operator, value);
}

/** What the strikes channel carries for a strike or a restore of `rule`. */
export function messageOf(rule: Rule, restore: boolean): string {
  const message: StrikeMessage = restore ? { op: 'restore', id: rule.id } : { op: 'strike', id: rule.id, rule: rule.stored };
  return JSON.stringify(message);
}
