/**
 * How an execution's record (its runs hash) and its stream message read back from Redis.
 */
import type { ExecutionState } from '../execution/execution-state.enum';
import type { Delivery, ExecutionRecord } from '../store';

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** The record of `key` from its hash's fields, or null when there is none. */
export function parseRecord(key: string, h: Record<string, string>): ExecutionRecord | null {
  if (!h.state) return null;
  return {
    key,
    state: h.state as ExecutionState,
    task: h.fn ?? '',
    args: h.args ?? '',
    when: Number(h.when ?? 0),
    generation: h.gen ?? '0',
    seq: Number(h.seq ?? 0),
    stateSeq: Number(h.sseq ?? 0),
    progressSeq: Number(h.pseq ?? 0),
    attempt: Number(h.attempt ?? 1),
    worker: h.worker,
    startedAt: num(h.started),
    completedAt: num(h.completed),
    error: h.error,
    failure: h.failure,
    result: h.result,
    cancelRequested: h.cancel === '1',
    waitingFor: h.state === 'scheduled' ? h.parked : undefined,
    progress:
      h.pseq !== undefined
        ? {
            current: Number(h.pc ?? 0),
            total: Number(h.pt ?? 0),
            message: h.pm ?? null,
            updatedAt: Number(h.pu ?? 0),
          }
        : undefined,
  };
}

/** The delivery of one stream message, from its id and fields. */
export function parseDelivery(id: string, fields: string[], redelivered: boolean): Delivery {
  let key = '';
  let generation = '0';
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'key') key = fields[i + 1];
    else if (fields[i] === 'gen') generation = fields[i + 1];
  }
  return { id, key, generation, redelivered };
}
