/**
 * A run of a task this worker does not have. In a rolling deploy that adds a task, old workers
 * claim runs of it before new ones are up: such a run is put back, a little later each time, for
 * a worker that has the task. Only once no live worker of the docket has had the task for
 * `unknownTaskTimeout` does it end FAILED with an UnknownTaskError naming the workers seen.
 */
import { unknownTaskWait } from '../execution/waiting-for';
import { UnknownTaskError } from '../errors/docket.errors';
import type { ClaimedRun } from '../store';
import { WORKER_TTL_MS } from './worker.options';
import type { RunSite } from './run-site';

/**
 * A run put back while a live worker has its task is due again after {@link FIRST_MS}; while none
 * has it, each put-back waits twice as long as the last, up to {@link LATEST_MS}.
 */
const FIRST_MS = 500;
const LATEST_MS = 30_000;

/**
 * Puts `run` back for a worker that has its task.
 *
 * @returns 'left' (put back, or left to redelivery when the store could not be asked: it must not
 *   start), 'cancelled' (its cancel was asked for: it ends CANCELLED), or the UnknownTaskError
 *   to fail it with, once no worker has had the task for long enough
 */
export async function leaveUnknown(site: RunSite, run: ClaimedRun, call: string): Promise<'left' | 'cancelled' | UnknownTaskError> {
  const { store, docket, logger, unknownTaskTimeout } = site;
  try {
    const now = Date.now();
    const [workers, record] = await Promise.all([store.workers(WORKER_TTL_MS, now), store.read(run.key)]);
    const having = workers.filter((w) => w.tasks.includes(run.task)).map((w) => w.name);
    const since = having.length > 0 ? undefined : (record?.unknownSince ?? now);
    if (since !== undefined && now - since >= unknownTaskTimeout) {
      const seen = workers.map((w) => `${w.name} [${w.tasks.join(', ')}]`).join('; ') || 'none';
      return new UnknownTaskError(
        run.task,
        docket.tasks.names(),
        `No live worker of docket "${docket.name}" has had task "${run.task}" for ${Math.round((now - since) / 1000)} s (workers seen: ${seen}). ` +
          'Deploy a worker that registers it, or give the workers a fallback task.',
      );
    }
    const deferrals = record?.deferrals ?? 0;
    const at = now + (since === undefined ? FIRST_MS : Math.min(FIRST_MS * 2 ** Math.min(deferrals, 16), LATEST_MS));
    const answer = await store.leave(run, at, since, now, unknownTaskWait(run.task));
    if (answer === 'cancelled') return 'cancelled';
    if (answer === 'left') {
      const who = having.length > 0 ? `workers ${having.join(', ')} have it` : `no live worker has it yet (failing after ${Math.round(unknownTaskTimeout / 1000)} s)`;
      logger.warn(`⏸ ${call}: this worker has no task "${run.task}"; put back (${deferrals + 1}) for one that has it: ${who}`);
    }
  } catch (err) {
    logger.warn(`${call}: this worker has no task "${run.task}", and putting it back failed (${String(err)}); it is left to redelivery`);
  }
  return 'left';
}
