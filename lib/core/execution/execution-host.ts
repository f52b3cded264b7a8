/** What an execution needs of its docket: names, codecs, the store and the shared subscriber. */
import type { Codec } from '../codec/codec';
import type { ErrorCodec } from '../codec/error-codec';
import type { DocketKeys, DocketStore, SubscriberHub } from '../store';
import type { ResultInbox } from './result-inbox';

/** @internal What an Execution needs from its docket. */
export interface ExecutionHost {
  readonly name: string;
  readonly keys: DocketKeys;
  readonly codec: Codec;
  readonly errorCodec: ErrorCodec;
  store(): Promise<DocketStore>;
  hub(): SubscriberHub;
  resultInbox(): ResultInbox;
}
