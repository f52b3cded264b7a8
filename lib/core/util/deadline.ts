/** Waits that must end by a deadline whatever the store does. */

/**
 * Waits for `work` until `deadline` (epoch ms) at the latest.
 *
 * @returns true when `work` settled in time (whether it resolved or rejected), false when the
 *   deadline came first; `work` is left to go on in the background
 */
export async function settledBy(deadline: number, work: Promise<unknown> | undefined): Promise<boolean> {
  if (!work) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `work`'s answer, or a rejection with `late` when `ms` pass first. A `work` that loses goes on in
 * the background, and its failure is not left unhandled.
 */
export async function answerWithin<T>(work: Promise<T>, ms: number, late: Error): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
