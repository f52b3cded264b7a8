/**
 * Which dockets a Redis holds, found cheaply for an error message: a bounded SCAN for the
 * streams that dockets keep (`NAME:stream`, or `{NAME}:stream` for a hash-tagged docket; see
 * DocketKeys), then one EXISTS per docket found for the record of an execution key.
 */
import { Cluster, type Redis } from 'ioredis';
import { DocketKeys } from '../store/docket-keys';
import type { DocketLogger } from '../util/logger';
import { closeConnection, createConnection, openConnection, type RedisClient } from './connection';

/** How many keys a search looks at, at most, across every node. */
export const DISCOVERY_KEY_LIMIT = 10_000;
/** How many keys one SCAN call looks at. */
const SCAN_COUNT = 1_000;
/** How many dockets are checked for an execution's record, at most. */
const HOLDING_CHECK_LIMIT = 100;

const STREAM_SUFFIX = ':stream';

/** What a search found. */
export interface DocketsFound {
  /**
   * The dockets seen, sorted, as `--docket` takes them: the name, or `{name}` for a docket whose
   * keys carry a hash tag (which `--docket '{name}'` reaches).
   */
  readonly dockets: readonly string[];
  /** True when the search stopped at {@link DISCOVERY_KEY_LIMIT} keys: there may be more. */
  readonly partial: boolean;
  /** The dockets that hold a record of the execution key asked about. */
  readonly holding: readonly string[];
}

/**
 * Lists the dockets on the Redis at `url` (looking at no more than {@link DISCOVERY_KEY_LIMIT}
 * keys), and those that hold a record of `key`.
 *
 * @throws RedisUnavailableError when Redis cannot be reached.
 * @example
 * const { dockets, holding } = await findDockets('redis://127.0.0.1:6379/0', 'abc', logger);
 */
export async function findDockets(url: string, key: string | undefined, logger: DocketLogger): Promise<DocketsFound> {
  const client = createConnection(url, 'command', logger);
  try {
    await openConnection(client, url);
    const nodes = client instanceof Cluster ? client.nodes('master') : [client];
    let budget = Math.ceil(DISCOVERY_KEY_LIMIT / SCAN_COUNT);
    let partial = false;
    const found = new Set<string>();
    for (const node of nodes) {
      const scanned = await scanStreams(node, budget, found);
      budget = scanned.budgetLeft;
      if (!scanned.complete) {
        partial = true;
        break;
      }
    }
    const dockets = [...found].sort();
    return { dockets, partial, holding: key === undefined ? [] : await holdersOf(client, dockets.slice(0, HOLDING_CHECK_LIMIT), key) };
  } finally {
    await closeConnection(client);
  }
}

/** Those of `dockets` that have a record of `key`, by one EXISTS each (each key may sit on its own cluster node). */
async function holdersOf(client: RedisClient, dockets: readonly string[], key: string): Promise<string[]> {
  const exists = await Promise.all(dockets.map((prefix) => client.exists(new DocketKeys(prefix).runs(key))));
  return dockets.filter((_, i) => exists[i] > 0);
}

/** SCANs one node for docket streams with up to `budget` calls, adding their prefixes to `found`. */
async function scanStreams(node: Redis, budget: number, found: Set<string>): Promise<{ complete: boolean; budgetLeft: number }> {
  let cursor = '0';
  do {
    if (budget <= 0) return { complete: false, budgetLeft: 0 };
    budget--;
    const [next, keys] = await node.scan(cursor, 'MATCH', `*${STREAM_SUFFIX}`, 'COUNT', SCAN_COUNT, 'TYPE', 'stream');
    for (const streamKey of keys) {
      const prefix = streamKey.slice(0, -STREAM_SUFFIX.length);
      if (prefix !== '') found.add(prefix);
    }
    cursor = next;
  } while (cursor !== '0');
  return { complete: true, budgetLeft: budget };
}
