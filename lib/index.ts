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

// Nest integration
export { DocketModule } from './nest/docket.module';
export type { DocketModuleExtras } from './nest/docket.module-definition';
export type {
  DocketModuleOptions,
  DocketWorkerOptions,
  DocketOptionsFactory,
} from './nest/interfaces/docket-module-options.interface';
export type { TaskOptions, TaskOptionsFactory, LoggedOptions } from './nest/interfaces/task-options.interface';
export { DocketService } from './nest/docket.service';
export type { TaskCallerArgs } from './nest/task-args.types';
export { getDocketToken } from './nest/docket-token.util';
export { Task } from './nest/decorators/task.decorator';
export { Logged } from './nest/decorators/logged.decorator';
export { InjectDocket } from './nest/decorators/inject-docket.decorator';
export {
  Progress,
  TaskLogger,
  CurrentDocket,
  CurrentExecution,
  TaskKey,
  Cancellation,
} from './nest/decorators/task-params.decorator';
export { TaskNotRegisteredError } from './nest/errors/task-not-registered.error';
export { UnknownTaskDocketError } from './nest/errors/unknown-task-docket.error';
