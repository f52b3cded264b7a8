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
}

let overrides: WorkerOverrides | undefined;

/** @internal Sets (or with undefined, clears) the overrides for modules created from now on. */
export function setWorkerOverrides(value: WorkerOverrides | undefined): void {
  overrides = value;
}

/** @internal The overrides in force, if any. */
export function getWorkerOverrides(): WorkerOverrides | undefined {
  return overrides;
}
