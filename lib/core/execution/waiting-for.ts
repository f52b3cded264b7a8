/**
 * What a SCHEDULED run's `waitingFor` says, one place for the words: a concurrency limit's name
 * (`task` or `task:value`), `rate limit <group>`, or `a worker with task "<name>"`. The rate
 * script writes its own in Lua, with the same prefix.
 */

const RATE_LIMIT = 'rate limit ';
const UNKNOWN_TASK = 'a worker with ';

/**
 * The wait of a run held back by the rate limit of `group`.
 *
 * @example
 * rateLimitWait('callPartner'); // 'rate limit callPartner'
 */
export function rateLimitWait(group: string): string {
  return `${RATE_LIMIT}${group}`;
}

/**
 * The wait of a run put back for a worker that has its task.
 *
 * @example
 * unknownTaskWait('sendEmail'); // 'a worker with task "sendEmail"'
 */
export function unknownTaskWait(task: string): string {
  return `${UNKNOWN_TASK}task "${task}"`;
}

/**
 * Whether `waitingFor` names a concurrency limit (the run is queued again when a place frees, so
 * its due time says nothing).
 *
 * @example
 * isConcurrencyWait('syncCustomer:c-42'); // true
 */
export function isConcurrencyWait(waitingFor: string): boolean {
  return !waitingFor.startsWith(RATE_LIMIT) && !waitingFor.startsWith(UNKNOWN_TASK);
}

/**
 * What a run waits for, in words.
 *
 * @example
 * describeWaitingFor('syncCustomer'); // 'a place of the concurrency limit "syncCustomer"'
 * describeWaitingFor('rate limit callPartner'); // 'rate limit callPartner'
 */
export function describeWaitingFor(waitingFor: string): string {
  return isConcurrencyWait(waitingFor) ? `a place of the concurrency limit "${waitingFor}"` : waitingFor;
}
