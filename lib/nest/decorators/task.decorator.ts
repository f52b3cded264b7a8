import { SetMetadata } from '@nestjs/common';
import { TASK_METADATA } from '../docket.constants';
import type { TaskMetadata, TaskOptions, TaskOptionsFactory } from '../interfaces/task-options.interface';

/**
 * Marks a method of a singleton provider as a task. At startup the module registers it with its
 * docket (or, with `{ docket }`, with that one); the worker then calls it on that provider.
 *
 * @param nameOrOptions the task's name (default: the method's name), its {@link TaskOptions}, or
 *   a {@link TaskOptionsFactory} that makes them from providers
 * @example
 * @Injectable()
 * export class OrderTasks {
 *   @Task()
 *   async processOrder(@Logged() orderId: number, @Progress() progress: ExecutionProgress) { … }
 *
 *   @Task('orders.refund')
 *   async refund(@Logged() orderId: number) { … }
 * }
 */
export function Task(nameOrOptions?: string | TaskOptions | TaskOptionsFactory): MethodDecorator {
  const metadata: TaskMetadata = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  return SetMetadata(TASK_METADATA, metadata);
}
