/**
 * The store port: the interfaces through which the engine reaches storage and pub/sub. The
 * engine depends on these alone; `redis/` implements them, and `backends.ts` picks an
 * implementation by URL.
 */
export type { Backend, BackendOptions } from './backend';
export { DocketKeys } from './docket-keys';
export type { CancelOutcome, DocketDepths, DocketStore, PendingKeys, QuarantinedItem, ScheduleReply, ScheduleRequest, WorkerInfo } from './docket-store';
export type { Delivery, ExecutionRecord } from './execution-record';
export type { StreamWaiter, WaitRequest } from './stream-waiter';
export type { Listener, MessageHandler, SubscriberHub } from './subscriber-hub';
export type { ClaimedRun, Completion, Fetched, OutcomesAhead, Place, PlaceAnswer, RateAnswer, RateRule, WorkerStore } from './worker-store';
