/**
 * Tasks every `docket worker` runs without a module, to try a deployment end to end:
 * `docket tasks trace|fail|sleep` adds them, a worker runs them, `docket watch` follows them.
 * Their names and arguments match the original's (`trace(message)`, `fail(message)`,
 * `sleep(seconds)`).
 */
import type { Docket } from '../core/producer/docket';
import { currentTask } from '../core/worker/task-context';

/**
 * Logs its message with where it runs.
 *
 * @example
 * await docket.add('trace')('Howdy!');
 */
export async function trace(message = 'Howdy!'): Promise<void> {
  const { logger, docketName, worker, attempt } = currentTask();
  logger.log(`${JSON.stringify(message)} on docket "${docketName}", worker ${worker}, attempt ${attempt}`);
}

/**
 * Always fails with its message: shows what a failure looks like in logs and `watch`.
 *
 * @example
 * await docket.add('fail')('Alas!');
 */
export async function fail(message = 'Alas!'): Promise<never> {
  throw new Error(message);
}

/**
 * Sleeps for `seconds`, reporting progress once a second; stops early when cancelled.
 *
 * @example
 * await docket.add('sleep')(30);
 */
export async function sleep(seconds = 1): Promise<void> {
  const { logger, progress, signal } = currentTask();
  const totalMs = Math.max(0, seconds * 1_000);
  const steps = Math.max(1, Math.ceil(seconds));
  logger.log(`Sleeping for ${seconds} seconds`);
  await progress.setTotal(steps);
  await progress.setMessage(`Sleeping for ${seconds} seconds`);
  const started = Date.now();
  for (let step = 1; step <= steps; step++) {
    await pause(Math.min(step * 1_000, totalMs) - (Date.now() - started), signal);
    await progress.setCurrent(step);
  }
}

/** The built-in tasks by name. */
export const BUILTIN_TASKS = { trace, fail, sleep } as const;

/**
 * Registers the built-in tasks on `docket` (under the names trace, fail and sleep).
 *
 * @example
 * registerBuiltinTasks(docket); await new Worker(docket).runForever();
 */
export function registerBuiltinTasks(docket: Docket): void {
  for (const [name, fn] of Object.entries(BUILTIN_TASKS)) docket.register(fn, { name });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
