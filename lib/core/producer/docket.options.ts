import type { ConnectionOptions } from 'node:tls';
import type { Codec } from '../codec/codec';
import type { ErrorClass } from '../codec/error-codec';
import { InvalidOptionsError } from '../errors/docket.errors';
import type { DocketLogger } from '../util/logger';
import { fitsTimer, MAX_TIMER_MS } from '../util/long-timer';

/**
 * The Redis URL of a docket given none, and of the CLI and the sample app given none.
 * 127.0.0.1, not localhost: Node may resolve localhost to ::1 first, where a Redis bound to
 * 127.0.0.1 (its default) does not listen.
 *
 * @example
 * const url = process.env.REDIS_URL ?? DEFAULT_DOCKET_URL;
 */
export const DEFAULT_DOCKET_URL = 'redis://127.0.0.1:6379/0';

/**
 * The name of a docket given none, and of the CLI's and the sample app's given none.
 *
 * @example
 * const name = process.env.DOCKET_NAME ?? DEFAULT_DOCKET_NAME;
 */
export const DEFAULT_DOCKET_NAME = 'docket';

/**
 * Options of a {@link Docket}.
 *
 * @example
 * const docket = new Docket({ name: 'emails', url: 'redis://127.0.0.1:6379/0', executionTtl: 60_000 });
 */
export interface DocketOptions {
  /** The docket's name: every Redis key starts with it. @default 'docket' */
  name?: string;
  /**
   * Where Redis is: `redis://[user:pass@]host:port/db`, `rediss://…` (TLS), `unix:///path?db=0`,
   * a Redis Cluster as `redis+cluster://host:port,host:port` (`rediss+cluster://` for TLS), or a
   * master found through Sentinels as `redis+sentinel://host:port,host:port/<master name>/db`
   * (`?sentinelUsername=…&sentinelPassword=…` for Sentinels with credentials of their own; IPv6
   * hosts in brackets, `[::1]:26379`).
   * @default 'redis://127.0.0.1:6379/0'
   */
  url?: string;
  /**
   * TLS settings for a `rediss://` URL, on top of what the URL says: a private CA (`ca`), a
   * client certificate for mutual TLS (`cert`, `key`), `servername` … (Node's `tls.connect`
   * options). Every connection of the docket uses them.
   * @example { ca: readFileSync('/etc/redis/ca.crt') }
   */
  tls?: ConnectionOptions;
  /**
   * How long (ms) a finished execution's record and result are kept. 0 = fire and forget:
   * nothing is kept once it finishes.
   * @default 900000 (15 minutes)
   */
  executionTtl?: number;
  /** How arguments and results are encoded. @default new JsonCodec() */
  codec?: Codec;
  /** Error classes to rethrow by name from `getResult()` (built-ins are always known). @default [] */
  errors?: ErrorClass[];
  /** Prefix keys with a `{name}` hash tag so that a Redis Cluster keeps them on one slot. @default true for `redis+cluster://` URLs, else false */
  hashTag?: boolean;
  /** Where log lines go. @default console */
  logger?: DocketLogger;
  /**
   * How long (ms) a producer's command (add, cancel, a read, the first connect) may wait for
   * Redis before it fails with RedisUnavailableError: a Redis that is paused or overloaded does
   * not hang the caller. Workers wait outages out instead, and blocking reads are not bounded by it.
   * @default 5000
   */
  commandTimeout?: number;
}

/** The options with every default filled in: made in one place, {@link resolveDocketOptions}. */
export type ResolvedDocketOptions = Required<Omit<DocketOptions, 'errors' | 'tls'>> & { errors: ErrorClass[]; tls?: ConnectionOptions };

/** Fills in the defaults of {@link DocketOptions}; the only place they are written. */
export function resolveDocketOptions(options: DocketOptions, defaults: { codec: Codec; logger: DocketLogger }): ResolvedDocketOptions {
  const executionTtl = options.executionTtl ?? 15 * 60_000;
  if (!Number.isFinite(executionTtl) || executionTtl < 0) {
    throw new RangeError(`executionTtl must be a number of ms ≥ 0, got ${executionTtl}`);
  }
  const url = options.url ?? DEFAULT_DOCKET_URL;
  if (options.tls && !/^rediss(\+cluster|\+sentinel)?:\/\//i.test(url)) {
    throw new InvalidOptionsError(
      `tls options were given for ${url.split('@').pop()!.split('?')[0]}, which does not use TLS: use a rediss:// (or rediss+cluster://, rediss+sentinel://) URL.`,
    );
  }
  return {
    name: options.name ?? DEFAULT_DOCKET_NAME,
    url,
    tls: options.tls,
    executionTtl,
    codec: options.codec ?? defaults.codec,
    errors: options.errors ?? [],
    hashTag: options.hashTag ?? false,
    commandTimeout: checkCommandTimeout(options.commandTimeout ?? 5_000),
    logger: options.logger ?? defaults.logger,
  };
}

function checkCommandTimeout(ms: number): number {
  if (ms <= 0 || !fitsTimer(ms)) {
    throw new InvalidOptionsError(`commandTimeout must be a number of ms above 0 and at most ${MAX_TIMER_MS}, got ${ms}`);
  }
  return ms;
}
