/**
 * nestjs-docket: distributed background tasks for NestJS on Redis streams, with every
 * execution's state, progress and result observable live.
 */
export { Docket, WORKER_TTL_MS } from './core/docket';
export type { AddOptions, ReplaceOptions, TaskArgs, TaskResult, TaskCall } from './core/docket';
export type { DocketOptions } from './core/docket.options';
export type { DocketSnapshot, ExecutionSummary } from './core/docket-snapshot';
export { Worker } from './core/worker';
export type { StopOptions } from './core/worker';
export type { WorkerOptions } from './core/worker.options';
export { Execution } from './core/execution';
export type { ResultOptions, ProgressSnapshot } from './core/execution';
export { ExecutionProgress } from './core/execution-progress';
export { ExecutionState, Disposition, isTerminal } from './core/execution-state.enum';
export type { ExecutionEvent, ExecutionStateEvent, ExecutionProgressEvent } from './core/execution-event';
export { JsonCodec } from './core/codec';
export type { Codec } from './core/codec';
export type { ErrorClass, SerializedFailure } from './core/error-codec';
export { currentTask } from './core/task-context';
export type { TaskContext } from './core/task-context';
export type { TaskFunction, RegisterOptions } from './core/task-registry';
export type { DocketLogger } from './core/logger';
export type { CancelOutcome, WorkerInfo } from './core/redis/docket-store';
export {
  DocketError,
  UnknownTaskError,
  DuplicateTaskError,
  SerializationError,
  InvalidOptionsError,
  TimeoutError,
  ExecutionCancelledError,
  ExecutionNotFoundError,
  RedisUnavailableError,
  DocketTaskError,
} from './core/errors/docket.errors';
