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
