import { LOGGED_METADATA } from '../docket.constants';
import type { LoggedOptions } from '../interfaces/task-options.interface';
import type { LoggedParam } from '../interfaces/task-param.interface';
import { paramDecorator } from './param-metadata.util';

/**
 * Lets an argument's value into the log lines of the task's start, success, retry and failure.
 * Arguments without it appear as `name=...`, so secrets stay out of logs unless marked.
 *
 * @example
 * @Task()
 * async processPayment(
 *   @Logged() customerId: string,
 *   creditCard: string,
 *   @Logged({ lengthOnly: true }) items: string[],
 * ) { … }
 * // logged as: processPayment(customerId='12345', creditCard=..., items=[len 3]){key}
 */
export function Logged(options: LoggedOptions = {}): ParameterDecorator {
  return paramDecorator<Omit<LoggedParam, 'index'>>(LOGGED_METADATA, 'Logged', { lengthOnly: options.lengthOnly ?? false });
}
