/**
 * The engine alone, without Nest: `import { Docket, Worker } from 'nestjs-docket/core'`
 * loads no @nestjs package.
 */
export { Docket, WORKER_TTL_MS } from './docket';
export type { AddOptions, ReplaceOptions, TaskArgs, TaskResult, TaskCall } from './docket';
export type { DocketOptions } from './docket.options';
export type { DocketSnapshot, ExecutionSummary } from './docket-snapshot';
export { Worker } from './worker';
export type { StopOptions } from './worker';
export type { WorkerOptions } from './worker.options';
export { Execution } from './execution';
export type { ResultOptions, ProgressSnapshot } from './execution';
export { ExecutionProgress } from './execution-progress';
export { ExecutionState, Disposition, isTerminal } from './execution-state.enum';
export type { ExecutionEvent, ExecutionStateEvent, ExecutionProgressEvent } from './execution-event';
export { JsonCodec } from './codec';
export type { Codec } from './codec';
export type { ErrorClass, SerializedFailure } from './error-codec';
export { currentTask } from './task-context';
export type { TaskContext } from './task-context';
export type { TaskFunction, RegisterOptions, RetryOptions, ConcurrencyOptions } from './task-registry';
export type { DocketLogger } from './logger';
export { describeStrike, STRIKE_OPERATORS } from './strikes';
export type { Strike, StrikeOperator, StrikeScalar, StrikeValue } from './strikes';
export type { CancelOutcome, WorkerInfo } from './redis/docket-store';
export {
  DocketError,
  UnknownTaskError,
  DuplicateTaskError,
  SerializationError,
  InvalidOptionsError,
  TimeoutError,
  TaskTimeoutError,
  ExecutionCancelledError,
  TaskStruckError,
  ExecutionNotFoundError,
  RedisUnavailableError,
  DocketTaskError,
} from './errors/docket.errors';

