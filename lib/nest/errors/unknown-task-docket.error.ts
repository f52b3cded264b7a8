import { DocketError } from '../../core/errors/docket.errors';
import { UNKNOWN_TASK_DOCKET } from '../docket.messages';

/**
 * A `@Task({ docket })` names a docket no DocketModule registered; startup fails with it.
 *
 * @example
 * @Task({ docket: 'emial' }) // app.init() throws UnknownTaskDocketError naming OrderTasks.send and "emial"
 */
export class UnknownTaskDocketError extends DocketError {
  override name = 'UnknownTaskDocketError';
  constructor(
    /** `Class.method` of the task. */
    readonly origin: string,
    /** The docket it asked for. */
    readonly docketName: string,
    known: readonly string[],
  ) {
    super(UNKNOWN_TASK_DOCKET(origin, docketName, known));
  }
}
