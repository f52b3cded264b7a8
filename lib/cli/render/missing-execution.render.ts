/**
 * What `docket watch` says about a key that has no execution in the chosen docket: which docket
 * it looked in, which dockets hold the key or exist on that Redis, and which flag or variable
 * picks another.
 */
import { DISCOVERY_KEY_LIMIT, type DocketsFound } from '../../core/backends';

/** At most this many dockets are named; the rest are counted. */
const LISTED_DOCKETS = 20;

/** Where the search happened, for the case where it found no docket at all. */
export interface SearchedRedis {
  /** The URL with its password masked. */
  readonly url: string;
  /** Where the URL came from, in words (`$REDIS_URL`, `the default`), when known. */
  readonly from?: string;
}

/**
 * The lines of the error for `key`, missing from `docket`; `found` is undefined when the search
 * for other dockets failed (then the error names none).
 *
 * @example
 * describeMissingExecution('abc', 'docket', { dockets: ['billing', 'orders'], partial: false, holding: [] }, redis);
 * // ['No execution "abc" in docket "docket": it was never added there, or …',
 * //  'Dockets on this Redis: billing, orders. Pass --docket NAME (or set DOCKET_NAME).']
 */
export function describeMissingExecution(key: string, docket: string, found: DocketsFound | undefined, redis: SearchedRedis): string[] {
  const missing = `No execution "${key}" in docket "${docket}"`;
  if (found && found.holding.length > 0) {
    const [holder] = found.holding;
    const where =
      found.holding.length === 1
        ? `Docket "${holder}" has one: pass --docket ${shellWord(holder)} (or set DOCKET_NAME=${shellWord(holder)}).`
        : `Dockets ${found.holding.map((d) => `"${d}"`).join(', ')} have one: pass --docket NAME (or set DOCKET_NAME).`;
    return [`${missing}.`, where];
  }
  const lines = [`${missing}: it was never added there, or it finished longer ago than the execution TTL and its record expired.`];
  if (!found) return [...lines, 'Check the key, and --docket / DOCKET_NAME.'];
  const among = found.partial ? ` among the first ${DISCOVERY_KEY_LIMIT} keys of` : ' on';
  if (found.dockets.length === 0) {
    const from = redis.from ? ` (from ${redis.from})` : '';
    return [...lines, `There is no docket${among} the Redis at ${redis.url}${from}: pass --url URL (or set DOCKET_URL or REDIS_URL).`];
  }
  return [...lines, `Dockets${among} this Redis: ${listed(found.dockets)}. Pass --docket NAME (or set DOCKET_NAME).`];
}

function listed(dockets: readonly string[]): string {
  const named = dockets.slice(0, LISTED_DOCKETS).join(', ');
  return dockets.length > LISTED_DOCKETS ? `${named} and ${dockets.length - LISTED_DOCKETS} more` : named;
}

/** `name` as a shell reads it back: bare when it is plain, else in single quotes. */
function shellWord(name: string): string {
  return /^[\w.:@%+-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}
