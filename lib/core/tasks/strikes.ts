/**
 * Strikes: rules that stop a task, or the calls of a task whose arguments match, from running,
 * without a deploy. A struck call is not added (its disposition is STRUCK), and a run already
 * queued or scheduled when the strike comes ends CANCELLED at the worker instead of starting.
 * A restore lifts the rule; runs that were struck stay cancelled.
 *
 * The rules live in one hash per docket, so a process that starts later reads them all, and
 * every change is announced on one channel, so running processes follow at once. (The original
 * keeps an instruction stream that is never trimmed; a hash holds just what is in effect.)
 */
import type { Codec } from '../codec/codec';
import { InvalidOptionsError } from '../errors/docket.errors';
import type { DocketLogger } from '../util/logger';
import type { DocketStore } from '../redis/docket-store';
import type { DocketKeys } from '../store/docket-keys';
import type { SubscriberHub } from '../redis/subscriber';
import type { TaskDefinition } from './task-registry';

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

/** A validated rule, with its id (its fields, encoded) and the form the hash keeps. */
interface Rule {
  readonly strike: Strike & { readonly operator: StrikeOperator };
  readonly id: string;
  readonly stored: StoredRule;
}

/** What the hash keeps under a rule's id. */
interface StoredRule {
  task?: string;
  parameter?: string;
  operator: StrikeOperator;
  /** The value through the docket's codec (so Dates and bigints survive). */
  value?: string;
}

/** What the strikes channel carries. */
interface StrikeMessage {
  op: 'strike' | 'restore';
  id: string;
  rule?: StoredRule;
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

function ruleFromStored(id: string, stored: StoredRule, codec: Codec): Rule {
  const value = stored.value === undefined ? undefined : (codec.decode(stored.value) as StrikeValue);
  return { id, stored, strike: { task: stored.task, parameter: stored.parameter, operator: stored.operator, value } };
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

/** What a strike list needs of its docket. */
export interface StrikeSource {
  readonly keys: DocketKeys;
  readonly codec: Codec;
  readonly logger: DocketLogger;
  hub(): SubscriberHub;
  store(): Promise<DocketStore>;
}

/**
 * The strikes in effect, as this process knows them: loaded once (subscribe first, then read,
 * so no change is missed) and kept current by the strikes channel; read again after a
 * reconnect of the subscriber.
 */
export class StrikeList {
  private readonly rules = new Map<string, Rule>();
  /** Tasks struck whole. */
  private whole = new Set<string>();
  /** Parameter rules by task ('' for the rules of every task). */
  private byTask = new Map<string, Rule[]>();
  private loading?: Promise<void>;
  private listening?: Promise<() => void>;
  private reading?: Promise<void>;
  private loaded = false;
  /** Messages heard while a read is on its way: applied again after it, in order. */
  private heard?: string[];
  private unlisten?: () => void;
  private closed = false;

  constructor(private readonly source: StrikeSource) {}

  /** True when no strike is in effect (as far as this process knows). */
  get empty(): boolean {
    return this.rules.size === 0;
  }

  /** Resolves once the strikes are loaded; undefined when they already are (no await needed). */
  ready(): Promise<void> | undefined {
    if (this.loaded) return undefined;
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** The first rule that strikes a call of `definition` with `args`, if any. */
  match(definition: Pick<TaskDefinition, 'name' | 'parameters'>, args: readonly unknown[]): Strike | undefined {
    if (this.rules.size === 0) return undefined;
    if (this.whole.has(definition.name)) return { task: definition.name };
    for (const rules of [this.byTask.get(definition.name), this.byTask.get('')]) {
      if (!rules) continue;
      for (const { strike } of rules) {
        const at = definition.parameters.findIndex((p) => p.name === strike.parameter);
        if (at < 0 || at >= args.length) continue;
        const value = strike.value as StrikeValue;
        if (definition.parameters[at].rest ? matchesAny(args.slice(at), strike.operator, value) : matches(args[at], strike.operator, value)) return strike;
      }
    }
    return undefined;
  }

  /**
   * Takes in a strike or restore this process just wrote, without waiting for the channel to
   * bring it back (it changes nothing then), so that this process's next add already obeys it.
   */
  follow(rule: Rule, restore: boolean): void {
    this.hear(messageOf(rule, restore));
  }

  /** Stops following the channel. */
  close(): void {
    this.closed = true;
    if (this.unlisten) this.unlisten();
    // A subscribe still on its way is let go once it lands.
    else void this.listening?.then((unlisten) => unlisten(), () => undefined);
    this.unlisten = undefined;
  }

  private async load(): Promise<void> {
    const store = await this.source.store();
    if (!this.unlisten) {
      if (!this.listening) {
        // Heard from the subscribe on: what comes before the read answers is applied after it.
        this.heard ??= [];
        const listening = this.source.hub().listen(this.source.keys.strikesChannel, {
          onMessage: (message) => this.hear(message),
          onResync: () => void this.readAgain(),
        });
        listening.catch(() => (this.listening = undefined));
        this.listening = listening;
      }
      const listening = this.listening;
      // The subscriber waits an outage out; the command connection fails fast, and the add with it.
      const unlisten = await Promise.race([listening, store.client.ping().then(() => listening)]);
      if (this.closed) return unlisten();
      this.unlisten = unlisten;
    }
    await this.read();
    this.loaded = true;
  }

  /** After a reconnect of the subscriber: reads until a read succeeds (changes may have been missed). */
  private async readAgain(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.read();
        return;
      } catch (err) {
        this.source.logger.warn(`Reading the strikes again after a reconnect failed (${String(err)}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  /** Reads every rule, then applies again what was heard meanwhile; one read at a time. */
  private read(): Promise<void> {
    const next = (this.reading ?? Promise.resolve()).catch(() => undefined).then(() => this.readOnce());
    this.reading = next;
    return next;
  }

  private async readOnce(): Promise<void> {
    if (this.closed) return;
    this.heard ??= [];
    try {
      const all = await (await this.source.store()).strikeRules();
      this.rules.clear();
      for (const [id, stored] of Object.entries(all)) {
        const rule = this.parse(id, stored);
        if (rule) this.rules.set(id, rule);
      }
    } finally {
      const heard = this.heard ?? [];
      this.heard = undefined;
      for (const message of heard) this.apply(message, false);
      this.index();
    }
  }

  private hear(message: string): void {
    if (this.heard) {
      this.heard.push(message);
      return;
    }
    this.apply(message, true);
    this.index();
  }

  private apply(message: string, announce: boolean): void {
    let parsed: StrikeMessage;
    try {
      parsed = JSON.parse(message) as StrikeMessage;
    } catch {
      return;
    }
    const known = this.rules.get(parsed.id);
    if (parsed.op === 'restore') {
      if (!known) return;
      this.rules.delete(parsed.id);
      if (announce) this.source.logger.log(`Restoring ${describeStrike(known.strike)}`);
      return;
    }
    const rule = parsed.rule && this.parse(parsed.id, parsed.rule);
    if (!rule || known) return;
    this.rules.set(parsed.id, rule);
    if (announce) this.source.logger.log(`Striking ${describeStrike(rule.strike)}`);
  }

  private parse(id: string, stored: string | StoredRule): Rule | undefined {
    try {
      const raw = typeof stored === 'string' ? (JSON.parse(stored) as StoredRule) : stored;
      return ruleFromStored(id, raw, this.source.codec);
    } catch (err) {
      this.source.logger.warn(`Ignoring a strike this process cannot read (${String(err)}): ${id}`);
      return undefined;
    }
  }

  private index(): void {
    this.whole = new Set();
    this.byTask = new Map();
    for (const rule of this.rules.values()) {
      const { task, parameter } = rule.strike;
      if (parameter === undefined) {
        this.whole.add(task!);
        continue;
      }
      const list = this.byTask.get(task ?? '') ?? [];
      list.push(rule);
      this.byTask.set(task ?? '', list);
    }
  }
}

/**
 * Writes a rule (or, with `restore`, lifts it) and announces it. Resolves true when it changed
 * what is in effect.
 */
export async function writeStrike(store: DocketStore, rule: Rule, restore: boolean): Promise<boolean> {
  return store.putStrike(rule.id, restore ? undefined : JSON.stringify(rule.stored), messageOf(rule, restore));
}

/** What the strikes channel carries for a strike or a restore of `rule`. */
function messageOf(rule: Rule, restore: boolean): string {
  const message: StrikeMessage = restore ? { op: 'restore', id: rule.id } : { op: 'strike', id: rule.id, rule: rule.stored };
  return JSON.stringify(message);
}

/** Every strike in effect, read from Redis, in the order of their rendering. */
export async function readStrikes(store: DocketStore, codec: Codec): Promise<Strike[]> {
  const all = await store.strikeRules();
  return Object.entries(all)
    .map(([id, stored]) => ruleFromStored(id, JSON.parse(stored) as StoredRule, codec).strike)
    // A whole-task rule is just its task, as it was given, so that restore() takes it back as it is.
    .map((strike): Strike => (strike.parameter === undefined ? { task: strike.task } : strike))
    .map((strike) => ({ strike, shown: describeStrike(strike) }))
    .sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0))
    .map(({ strike }) => strike);
}
