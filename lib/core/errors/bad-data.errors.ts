/** Errors about data read back from the store or heard on a channel that the engine cannot use. */
import { DocketError } from './docket.errors';

/**
 * @internal A message heard on a channel is not what the engine publishes there. Listeners throw
 * it; the subscriber drops the message with a (rate-limited) log line.
 */
export class MalformedMessageError extends DocketError {
  override name = 'MalformedMessageError';
  constructor(readonly reason: string) {
    super(`a malformed message (${reason})`);
  }
}

/** @internal A message heard on a channel, parsed; MalformedMessageError when it is not JSON. */
export function parseMessageJson(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    throw new MalformedMessageError('not JSON');
  }
}

/**
 * @internal An execution record read back from the store cannot be used (a state that is none
 * of ours, a number field that is not a number). Readers treat it as missing, with a log line;
 * the worker's scripts quarantine it.
 */
export class UnreadableRecordError extends DocketError {
  override name = 'UnreadableRecordError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`the record of ${key} cannot be read (${reason})`);
  }
}
