import { DocketError } from '../../core/errors/docket.errors';
import { TASK_NOT_REGISTERED } from '../docket.messages';

/**
 * `DocketService.add(fn)` was given a function that is no task of that docket: a method without
 * `@Task()`, one on a request-scoped provider, or one bound to another docket.
 *
 * @example
 * docketService.add(this.orders.notATask); // throws TaskNotRegisteredError
 */
export class TaskNotRegisteredError extends DocketError {
  override name = 'TaskNotRegisteredError';
  constructor(
    /** The function's name. */
    readonly functionName: string,
    /** The docket it was looked up in. */
    readonly docketName: string,
    known: readonly string[],
  ) {
    super(TASK_NOT_REGISTERED(functionName, docketName, known));
  }
}
