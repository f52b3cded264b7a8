/** The task body every system runs: a no-op, or a paced sequence of progress updates. */
import type { Payload, TaskProbe } from './adapter';
import { nowMs, sleep } from './stats';

/**
 * Waits payload.w ms if given, then reports progress 1..payload.u, stamping the time just before each update, and hands the
 * stamps to the probe. `update` is the library's own progress call.
 */
export async function progressLoop(
  payload: Payload,
  id: string,
  probe: TaskProbe,
  update: (value: number) => Promise<unknown>,
): Promise<void> {
  const updates = payload.u ?? 0;
  const stamps = new Array<number>(updates);
  if (payload.w) await sleep(payload.w);
  for (let value = 1; value <= updates; value++) {
    stamps[value - 1] = nowMs();
    await update(value);
    if (payload.ms) await sleep(payload.ms);
  }
  probe.record(id, stamps);
}

export function payload(i: number): Payload {
  return { i, t: Date.now() };
}
