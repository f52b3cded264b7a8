/** Finished runs per 10 s bucket over the last 5 minutes, as heard by the dashboard's server. */

const BUCKET_MS = 10_000;
const BUCKETS = 30;

/**
 * Counts of completed and failed runs by 10 s bucket.
 *
 * @example
 * const t = new Throughput();
 * t.count(true, Date.now());
 * t.buckets(Date.now()).at(-1); // { at, completed: 1, failed: 0 }
 */
export class Throughput {
  private readonly counts = new Map<number, { completed: number; failed: number }>();

  /** Counts one run that ended at `at` (ms). */
  count(completed: boolean, at: number): void {
    const start = Math.floor(at / BUCKET_MS) * BUCKET_MS;
    const bucket = this.counts.get(start) ?? { completed: 0, failed: 0 };
    if (completed) bucket.completed++;
    else bucket.failed++;
    this.counts.set(start, bucket);
    for (const key of this.counts.keys()) if (key < start - BUCKETS * BUCKET_MS) this.counts.delete(key);
  }

  /** The last 5 minutes' buckets up to `now`, oldest first, empty ones included. */
  buckets(now: number): { at: number; completed: number; failed: number }[] {
    const last = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    return Array.from({ length: BUCKETS }, (_, i) => {
      const at = last - (BUCKETS - 1 - i) * BUCKET_MS;
      return { at, ...(this.counts.get(at) ?? { completed: 0, failed: 0 }) };
    });
  }
}
