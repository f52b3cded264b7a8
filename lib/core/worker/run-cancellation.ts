import { ExecutionCancelledError } from '../errors/docket.errors';

/**
 * A run's cancellation: the AbortSignal tasks see is made only when a task asks for it (most
 * never do, and an AbortController with its listener is a measurable part of a no-op run).
 */
export class RunCancellation {
  private controller?: AbortController;
  private abortedWith?: { reason: unknown };
  private listener?: (reason: unknown) => void;

  /** True once {@link RunCancellation.abort} was called. */
  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  /** True when it was aborted by a cancel of the execution (not by a timeout or a stop). */
  get cancelled(): boolean {
    return this.abortedWith?.reason instanceof ExecutionCancelledError;
  }

  /** Why it was aborted, if it was. */
  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** The signal handed to the task; aborted already if the run was. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  /** Aborts once; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
    this.listener?.(reason);
  }

  /** Settles as `work` does, or rejects with the reason once aborted (at once if it already was). */
  race<T>(work: T | PromiseLike<T>): Promise<Awaited<T>> {
    return new Promise<Awaited<T>>((resolve, reject) => {
      Promise.resolve(work).then(resolve, reject);
      if (this.abortedWith) reject(this.abortedWith.reason);
      else this.listener = reject;
    });
  }
}
