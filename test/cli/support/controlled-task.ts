/**
 * A task whose progress the test drives: it reports 60/100 with a message, then waits until the
 * test releases it (to finish or to fail), or until it is cancelled.
 */
import { currentTask, type Docket } from '../../../lib';

/** The message the controlled task reports at 60/100. */
export const CONTROLLED_MESSAGE = 'Processing records...';

/** Releases the task that is waiting. */
export interface Controller {
  /** Lets the running task report 100/100 and return. */
  finish(): void;
  /** Makes the running task throw `error`. */
  fail(error: Error): void;
}

/**
 * Registers `controlled` on `docket` and returns its controller.
 *
 * @example
 * const control = registerControlledTask(docket); … control.finish();
 */
export function registerControlledTask(docket: Docket, name = 'controlled'): Controller {
  let release: { resolve: () => void; reject: (e: Error) => void } | undefined;
  let early: { error?: Error } | undefined;
  async function controlled(): Promise<string> {
    const { progress, signal } = currentTask();
    await progress.setTotal(100);
    await progress.setCurrent(60);
    await progress.setMessage(CONTROLLED_MESSAGE);
    await progress.flush();
    await new Promise<void>((resolve, reject) => {
      if (early) return early.error ? reject(early.error) : resolve();
      release = { resolve, reject };
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    await progress.setCurrent(100);
    return 'done';
  }
  docket.register(controlled, { name });
  const settle = (error?: Error): void => {
    if (!release) early = { error };
    else if (error) release.reject(error);
    else release.resolve();
  };
  return { finish: () => settle(), fail: (error) => settle(error) };
}
