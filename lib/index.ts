/**
 * nestjs-docket: distributed background tasks for NestJS on Redis streams, with every
 * execution's state, progress and result observable live.
 */
export * from './core';

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
export { DocketTestingModule } from './nest/testing/docket-testing.module';
export type { DocketTestingOptions } from './nest/testing/docket-testing.module';
export { DocketDashboardModule } from './dashboard';
export type { DocketDashboardOptions, DocketDashboardAsyncOptions } from './dashboard';
export { DocketHealthIndicator } from './nest/docket-health.indicator';
export type { DocketHealthIndicatorOptions, DocketHealthIndicatorResult } from './nest/docket-health.indicator';
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
  Perpetual,
} from './nest/decorators/task-params.decorator';
// Streaming to clients
export { toSseEvents } from './nest/streaming/sse-events';
export type { SseEventsOptions, SseEventName } from './nest/streaming/sse-events';
export { toAsyncIterator } from './nest/streaming/async-iterator';
export { TaskNotRegisteredError } from './nest/errors/task-not-registered.error';
export { UnknownTaskDocketError } from './nest/errors/unknown-task-docket.error';
