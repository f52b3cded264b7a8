/**
 * The strikes in effect: kept in one hash per docket, so that a process that starts later reads
 * them all, and announced on one channel, so that running processes follow at once. (The
 * original keeps an instruction stream that is never trimmed; a hash holds just what is in
 * effect.) A struck call is not added (its disposition is STRUCK), and a run already queued or
 * scheduled when the strike comes ends CANCELLED at the worker instead of starting.
 */
import type { Codec } from '../codec/codec';
import { MalformedMessageError, parseMessageJson } from '../errors/bad-data.errors';
import type { DocketKeys, DocketStore, SubscriberHub } from '../store';
import type { DocketLogger } from '../util/logger';
import { excerpt } from '../util/rate-limited-log';
import { describeStrike, type Strike } from './strike';
import { messageOf, ruleFromStored, strikesCall, type Rule, type StoredRule, type StrikeMessage } from './strike-rule';
import type { TaskDefinition } from './task-registry';

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
        if (strikesCall(strike, definition, args)) return strike;
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
      const unlisten = await Promise.race([listening, store.ping().then(() => listening)]);
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
      for (const message of heard) {
      try {
        this.apply(message, false);
      } catch (err) {
        this.source.logger.warn(`Ignoring a message on the strikes channel (${String(err)}): ${excerpt(message)}`);
      }
    }
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

  /** Applies one message of the strikes channel; throws MalformedMessageError for one that is not a strike or restore. */
  private apply(message: string, announce: boolean): void {
    const parsed = parseMessage(message);
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
    return parseRule(id, stored, this.source.codec, this.source.logger);
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

/** Every strike in effect, read from Redis, in the order of their rendering; a rule that cannot be read is skipped with a warning. */
export async function readStrikes(store: DocketStore, codec: Codec, logger: DocketLogger): Promise<Strike[]> {
  const all = await store.strikeRules();
  return Object.entries(all)
    .flatMap(([id, stored]) => parseRule(id, stored, codec, logger)?.strike ?? [])
    // A whole-task rule is just its task, as it was given, so that restore() takes it back as it is.
    .map((strike): Strike => (strike.parameter === undefined ? { task: strike.task } : strike))
    .map((strike) => ({ strike, shown: describeStrike(strike) }))
    .sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0))
    .map(({ strike }) => strike);
}

/** A stored rule (JSON text, or as the channel carried it), or undefined with a warning when it cannot be read. */
function parseRule(id: string, stored: string | StoredRule, codec: Codec, logger: DocketLogger): Rule | undefined {
  try {
    return ruleFromStored(id, typeof stored === 'string' ? (JSON.parse(stored) as unknown) : stored, codec);
  } catch (err) {
    logger.warn(`Ignoring a strike this process cannot read (${String(err)}): ${excerpt(id)} = ${excerpt(typeof stored === 'string' ? stored : JSON.stringify(stored))}`);
    return undefined;
  }
}

/** A message of the strikes channel, checked. */
function parseMessage(message: string): StrikeMessage {
  const parsed = parseMessageJson(message) as Partial<StrikeMessage> | null;
  if (typeof parsed?.id !== 'string' || (parsed.op !== 'strike' && parsed.op !== 'restore')) throw new MalformedMessageError('not a strike or restore');
  return parsed as StrikeMessage;
}
