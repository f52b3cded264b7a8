/**
 * The engine alone, without Nest: `import { Docket, Worker } from 'nestjs-docket/core'`
 * loads no @nestjs package. Listed in the order work flows: producer, execution, worker,
 * tasks, codec, the store port's public types, errors.
 */
export { Docket } from './producer/docket';
export { Agenda } from './producer/agenda';
export type { ScatterOptions } from './producer/agenda';
export type { AddOptions, ReplaceOptions, TaskArgs, TaskResult, TaskCall } from './producer/docket';
export type { DocketOptions } from './producer/docket.options';
export { DEFAULT_DOCKET_NAME, DEFAULT_DOCKET_URL } from './producer/docket.options';
export { maskPassword } from './util/mask-password';
export type { DocketSnapshot, ExecutionSummary } from './producer/docket-snapshot';
export type { DocketHealth, HealthOptions } from './producer/docket-health';
export { DOCKET_METRICS } from './telemetry/telemetry-names';
export { Worker } from './worker/worker';
export { createDocketTester, DocketAssertionError, DocketTester } from './testing/docket-tester';
export type { PendingTask } from './testing/docket-tester';
export { WORKER_TTL_MS } from './worker/worker.options';
export type { StopOptions, WorkerOptions } from './worker/worker.options';
export { Execution } from './execution/execution';
export type { ResultOptions } from './execution/result-options';
export type { ProgressSnapshot } from './execution/execution-progress';
export { ExecutionProgress } from './execution/execution-progress';
export { ExecutionState, Disposition, isTerminal } from './execution/execution-state.enum';
export type { ExecutionEvent, ExecutionStateEvent, ExecutionProgressEvent } from './execution/execution-event';
export { JsonCodec } from './codec/codec';
export type { Codec } from './codec/codec';
export type { ErrorClass, SerializedFailure } from './codec/error-codec';
export { currentTask } from './worker/task-context';
export type { TaskContext } from './worker/task-context';
export type { TaskFunction, RegisterOptions, RetryOptions, ConcurrencyOptions } from './tasks/task-registry';
export { MIN_PERPETUAL_EVERY_MS } from './tasks/perpetual';
export type { PerpetualControl, PerpetualOptions } from './tasks/perpetual';
export type { CronOptions } from './tasks/cron';
export type { AdmissionOptions, RateLimitOptions } from './tasks/admission';
export type { DocketLogger } from './util/logger';
export { describeStrike, STRIKE_OPERATORS } from './tasks/strike';
export type { Strike, StrikeOperator, StrikeScalar, StrikeValue } from './tasks/strike';
export type { CancelOutcome, DocketDepths, QuarantinedItem, WorkerInfo } from './store';
export type { Quarantine } from './producer/quarantine';
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
  TaskInCooldownError,
  ExecutionNotFoundError,
  RedisUnavailableError,
  DocketTaskError,
} from './errors/docket.errors';

