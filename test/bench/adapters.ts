import type { SystemAdapter, SystemId } from './adapter';
import { beeQueueAdapter } from './bee-queue.adapter';
import { bullmqAdapter } from './bullmq.adapter';
import { docketAdapter } from './docket.adapter';

export const ADAPTERS: Record<SystemId, SystemAdapter> = {
  docket: docketAdapter,
  bullmq: bullmqAdapter,
  'bee-queue': beeQueueAdapter,
};
