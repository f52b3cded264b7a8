/**
 * @internal Worker settings imposed from outside the app's own module options: the
 * `docket worker` command sets them before it boots the user's module, and DocketModule
 * applies them on top of its resolved `worker` options (forcing the worker on).
 */
export interface WorkerOverrides {
  concurrency?: number;
  redeliveryTimeout?: number;
  schedulingResolution?: number;
  drainTimeout?: number;
  name?: string;
  fallback?: string;
  unknownTaskTimeout?: number;
}

// Kept on globalThis under a registered symbol, so that a globally installed `docket` CLI and
// the app's own copy of nestjs-docket see the same value.
const SLOT = Symbol.for('nestjs-docket.worker-overrides');
const holder = globalThis as unknown as Record<symbol, WorkerOverrides | undefined>;

/** @internal Sets (or with undefined, clears) the overrides for modules created from now on. */
export function setWorkerOverrides(value: WorkerOverrides | undefined): void {
  holder[SLOT] = value;
}

/** @internal The overrides in force, if any. */
export function getWorkerOverrides(): WorkerOverrides | undefined {
  return holder[SLOT];
}
