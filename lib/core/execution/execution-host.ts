/** What an execution needs of its docket: names, codecs, the store and the shared subscriber. */
import type { Codec } from '../codec/codec';
import type { ErrorCodec } from '../codec/error-codec';
import type { DocketKeys, DocketStore, SubscriberHub } from '../store';
import type { Disposition, ExecutionState } from './execution-state.enum';
import type { InboxMark, ResultInbox } from './result-inbox';

/** @internal What an Execution needs from its docket. */
export interface ExecutionHost {
  readonly name: string;
  readonly keys: DocketKeys;
  readonly codec: Codec;
  readonly errorCodec: ErrorCodec;
  store(): Promise<DocketStore>;
  hub(): SubscriberHub;
  resultInbox(): ResultInbox;
  /** Runs `use` on the store; a store that cannot be reached gives RedisUnavailableError. */
  withStore<T>(use: (store: DocketStore) => Promise<T>): Promise<T>;
}

/** @internal What an Execution is made with. */
export interface ExecutionInit {
  state: ExecutionState;
  taskName: string;
  when: Date;
  disposition?: Disposition;
  args?: string;
  /** The run's generation, as the schedule script answered. */
  generation?: string;
  /** Set when the add was sent with this docket's result inbox live. */
  inbox?: InboxMark;
  /**
   * Why the call was not added (disposition STRUCK or IN_COOLDOWN): what `getResult()` throws.
   * Nothing was written under its key.
   */
  notAdded?: Error;
}
