/**
 * A docket's settings and what it opens: its backend, the producer store, the shared subscriber,
 * the result inbox and the live strike list, each opened on first use and closed together.
 * {@link Docket} adds the producer's API on top.
 */
import type { ConnectionOptions } from 'node:tls';
import { openBackend } from '../backends';
import { JsonCodec, type Codec } from '../codec/codec';
import { ErrorCodec, type ErrorClass } from '../codec/error-codec';
import { InvalidOptionsError } from '../errors/docket.errors';
import type { ExecutionHost } from '../execution/execution-host';
import { ResultInbox } from '../execution/result-inbox';
import type { Backend, DocketKeys, DocketStore, SubscriberHub } from '../store';
import { StrikeList } from '../tasks/strike-list';
import { DocketTelemetry } from '../telemetry/docket-telemetry';
import { consoleLogger, type DocketLogger } from '../util/logger';
import { resolveDocketOptions, type DocketOptions } from './docket.options';
import { Quarantine } from './quarantine';

/**
 * The connections of a docket; see {@link Docket}, which is the class to use.
 *
 * @example
 * const docket = await new Docket({ name: 'orders' }).connect();
 * await docket.close();
 */
export class DocketConnection implements ExecutionHost {
  readonly name: string;
  readonly url: string;
  /** TLS settings added to a `rediss://` URL's (see {@link DocketOptions.tls}). */
  readonly tls?: ConnectionOptions;
  /** ms a finished execution is kept; 0 = fire and forget. */
  readonly executionTtl: number;
  readonly codec: Codec;
  readonly errorCodec: ErrorCodec;
  readonly keys: DocketKeys;
  readonly logger: DocketLogger;
  /** @internal The store port's implementation for this docket's URL. */
  readonly backend: Backend;
  /** What the engine moved aside because it could not read or write it (see {@link Quarantine}). */
  readonly quarantine: Quarantine = new Quarantine(this);
  /** @internal Spans and metric attributes of this docket (no-ops without an OTel SDK). */
  readonly telemetry: DocketTelemetry;
  private storePromise?: Promise<DocketStore>;
  /** The store once open, so that a send writes to the socket in the caller's own tick. */
  private openedStore?: DocketStore;
  private subscriberHub?: SubscriberHub;
  private inbox?: ResultInbox;
  private struck?: StrikeList;
  private closed = false;

  constructor(options: DocketOptions = {}) {
    const resolved = resolveDocketOptions(options, { codec: new JsonCodec(), logger: consoleLogger });
    this.name = resolved.name;
    this.url = resolved.url;
    this.tls = resolved.tls;
    this.executionTtl = resolved.executionTtl;
    this.codec = resolved.codec;
    this.logger = resolved.logger;
    this.backend = openBackend({ name: resolved.name, url: resolved.url, tls: resolved.tls, logger: resolved.logger, hashTag: resolved.hashTag, commandTimeout: resolved.commandTimeout });
    this.keys = this.backend.keys;
    this.telemetry = new DocketTelemetry(this.name);
    this.errorCodec = new ErrorCodec(this.codec);
    for (const cls of resolved.errors) this.errorCodec.register(cls);
  }

  /**
   * Opens the producer connection now (otherwise the first command opens it).
   *
   * @example
   * const docket = await new Docket({ url }).connect(); // fails here if Redis is unreachable
   */
  async connect(): Promise<this> {
    await this.store();
    return this;
  }

  /**
   * Closes this docket's connections (the shared subscriber once its last user is gone).
   *
   * @example
   * await docket.close();
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const store = this.storePromise ? await this.storePromise.catch(() => undefined) : undefined;
    if (store) await store.close();
    this.inbox?.close();
    this.struck?.close();
    await this.subscriberHub?.release();
  }

  /**
   * Makes an error class known, so that `getResult()` rethrows failures of that class as such.
   *
   * @example
   * docket.registerError(PaymentDeclinedError);
   */
  registerError(cls: ErrorClass): void {
    this.errorCodec.register(cls);
  }

  /** @internal The producer store, opened on first use. */
  store(): Promise<DocketStore> {
    if (this.closed) return Promise.reject(new InvalidOptionsError(`Docket "${this.name}" is closed.`));
    this.storePromise ??= this.backend.openDocketStore().then((store) => (this.openedStore = store));
    this.storePromise.catch(() => (this.storePromise = undefined));
    return this.storePromise;
  }

  /** @internal The producer store when it is open and the docket is not closed. */
  openStore(): DocketStore | undefined {
    return this.closed ? undefined : this.openedStore;
  }

  /** @internal This docket's result inbox, opened on first use (by `getResult()`). */
  resultInbox(): ResultInbox {
    this.inbox ??= new ResultInbox(this.hub(), (token) => this.keys.inbox(token));
    this.inbox.open();
    return this.inbox;
  }

  /** @internal The result inbox if it was ever opened. */
  openInbox(): ResultInbox | undefined {
    return this.inbox;
  }

  /** @internal The strikes in effect as this process knows them (loaded on first use). */
  strikeList(): StrikeList {
    this.struck ??= new StrikeList(this);
    return this.struck;
  }

  /** @internal The strike list if it was ever made. */
  knownStrikes(): StrikeList | undefined {
    return this.struck;
  }

  /** @internal The process-wide subscriber for this docket's backend. */
  hub(): SubscriberHub {
    this.subscriberHub ??= this.backend.acquireSubscriber();
    return this.subscriberHub;
  }

  /** @internal Runs `use` on the producer store; a backend that is down or restarting gives RedisUnavailableError. */
  async withStore<T>(use: (store: DocketStore) => Promise<T>): Promise<T> {
    try {
      return await use(await this.store());
    } catch (err) {
      throw this.backend.unavailable(err);
    }
  }
}
