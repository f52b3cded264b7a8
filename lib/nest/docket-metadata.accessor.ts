import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LOGGED_METADATA, TASK_METADATA, TASK_PARAMS_METADATA } from './docket.constants';
import type { TaskMetadata } from './interfaces/task-options.interface';
import type { InjectedParam, LoggedParam } from './interfaces/task-param.interface';

/**
 * The one reader of what the docket decorators wrote.
 *
 * @example
 * const options = accessor.getTaskMetadata(OrderTasks.prototype.processOrder); // { name: 'processOrder' }
 */
@Injectable()
export class DocketMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** What `@Task()` stored on `method`, or undefined when it is no task. */
  getTaskMetadata(method: object): TaskMetadata | undefined {
    return this.reflector.get<TaskMetadata | undefined>(TASK_METADATA, method as () => unknown);
  }

  /** The injected parameters of `method` (`@Progress()` …), by index. */
  getInjectedParams(method: object): InjectedParam[] {
    return this.byIndex(this.reflector.get<InjectedParam[] | undefined>(TASK_PARAMS_METADATA, method as () => unknown));
  }

  /** The `@Logged()` parameters of `method`, by index. */
  getLoggedParams(method: object): LoggedParam[] {
    return this.byIndex(this.reflector.get<LoggedParam[] | undefined>(LOGGED_METADATA, method as () => unknown));
  }

  private byIndex<T extends { index: number }>(list: T[] | undefined): T[] {
    return [...(list ?? [])].sort((a, b) => a.index - b.index);
  }
}
