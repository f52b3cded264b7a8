/**
 * What the engine moved aside because it could not read or write it: stream entries without a
 * key, records whose fields are damaged (left FAILED in place, saying why), outcomes the store
 * refused. Each was logged once, with its id and reason, when it was moved.
 */
import type { DocketStore, QuarantinedItem } from '../store';

/** What the quarantine needs of its docket. */
interface QuarantineHost {
  withStore<T>(use: (store: DocketStore) => Promise<T>): Promise<T>;
}

/**
 * A docket's quarantine: `docket.quarantine`.
 *
 * @example
 * const { items, total } = await docket.quarantine.list();
 * for (const item of items) console.log(item.at, item.what, item.key, item.reason);
 * await docket.quarantine.clear();
 */
export class Quarantine {
  /** @internal Made by the docket. */
  constructor(private readonly host: QuarantineHost) {}

  /**
   * The newest `limit` items, newest first, and how many the quarantine holds (it keeps about
   * the last 10,000).
   *
   * @example
   * const { items } = await docket.quarantine.list(10);
   */
  list(limit = 100): Promise<{ items: QuarantinedItem[]; total: number }> {
    return this.host.withStore((store) => store.quarantined(limit));
  }

  /**
   * The item `id`, or undefined when it is not (or no longer) there.
   *
   * @example
   * const item = await docket.quarantine.get('1733500000000-0');
   */
  get(id: string): Promise<QuarantinedItem | undefined> {
    return this.host.withStore((store) => store.quarantinedItem(id));
  }

  /**
   * Removes the items `ids`, or every item when none is given.
   *
   * @returns how many were removed
   * @example
   * await docket.quarantine.clear(['1733500000000-0']);
   */
  clear(ids?: readonly string[]): Promise<number> {
    return this.host.withStore((store) => store.clearQuarantine(ids));
  }
}
