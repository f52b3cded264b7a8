import type { Docket } from '../producer/docket';
import type { WorkerStore } from '../store';
import type { TaskDefinition } from '../tasks/task-registry';
import type { DocketLogger } from '../util/logger';

/** Where a run is started: its docket, the worker's store and name, and its lease (ms). */
export interface RunSite {
  readonly docket: Docket;
  readonly store: WorkerStore;
  readonly worker: string;
  readonly leaseMs: number;
  readonly logger: DocketLogger;
  /** The task that takes runs of tasks this worker does not have, if any. */
  readonly fallback?: TaskDefinition;
  /** How long (ms) runs of a task no live worker has are put back before they fail. */
  readonly unknownTaskTimeout: number;
}
