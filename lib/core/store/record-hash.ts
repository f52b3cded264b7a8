/**
 * How an execution's record (its runs hash: field → string) and its stream message read back, from
 * Redis or from the memory backend, which keeps the same fields; and a worker's heartbeat record.
 */
import { UnreadableRecordError } from '../errors/bad-data.errors';
import { isExecutionState, type ExecutionState } from '../execution/execution-state.enum';
import type { DocketLogger } from '../util/logger';
import type { Delivery, ExecutionRecord } from './execution-record';

/**
 * The sequence number of a record left FAILED in place of an unreadable one (see poison_record):
 * above any a run reaches, so its event passes every subscriber's ordering filter.
 */
export const POISONED_SEQ = 2 ** 40;

const NUMBERS = ['when', 'gen', 'seq', 'sseq', 'pseq', 'attempt', 'started', 'completed', 'pc', 'pt', 'pu', 'unknown', 'usince', 'lt'] as const;

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/**
 * The record of `key` from its hash's fields, or null when there is none.
 *
 * @throws UnreadableRecordError for a hash that is not a record of ours (the reader treats it as
 *   missing, with a log line)
 */
export function parseRecord(key: string, h: Record<string, string>): ExecutionRecord | null {
  if (!h.state) return null;
  if (!isExecutionState(h.state)) throw new UnreadableRecordError(key, `its state "${h.state.slice(0, 40)}" is none of ours`);
  for (const field of NUMBERS) {
    if (h[field] !== undefined && !Number.isFinite(Number(h[field]))) throw new UnreadableRecordError(key, `its ${field} is not a number`);
  }
  return {
    key,
    state: h.state as ExecutionState,
    task: h.fn ?? '',
    args: h.args ?? '',
    when: Number(h.when ?? 0),
    generation: h.gen ?? '0',
    seq: Number(h.seq ?? 0),
    // A record as the schedule script writes it has no 'sseq': its state seq is its seq.
    stateSeq: Number(h.sseq ?? h.seq ?? 0),
    progressSeq: Number(h.pseq ?? 0),
    attempt: Number(h.attempt ?? 1),
    worker: h.worker,
    startedAt: num(h.started),
    completedAt: num(h.completed),
    error: h.error,
    failure: h.failure,
    result: h.result,
    cancelRequested: h.cancel === '1',
    waitingFor: h.state === 'scheduled' ? (h.parked ?? h.waits) : undefined,
    recurrence: h.rec || undefined,
    lastOutcome: h.lo && isExecutionState(h.lo) ? { state: h.lo, at: Number(h.lt ?? 0) } : undefined,
    deferrals: num(h.unknown),
    unknownSince: num(h.usince),
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

/**
 * What a worker's heartbeat record (JSON) says: its tasks and concurrency; nothing, with a log
 * line, when it cannot be read.
 */
export function parseWorkerRecord(name: string, raw: string | null | undefined, logger: Pick<DocketLogger, 'warn'>): { tasks: string[]; concurrency?: number } {
  if (!raw) return { tasks: [] };
  try {
    const rec = JSON.parse(raw) as { tasks?: unknown; concurrency?: unknown } | null;
    const tasks = Array.isArray(rec?.tasks) ? rec.tasks.filter((t): t is string => typeof t === 'string') : [];
    return { tasks, concurrency: typeof rec?.concurrency === 'number' ? rec.concurrency : undefined };
  } catch {
    logger.warn(`Ignoring the heartbeat record of worker ${name}: it is not JSON`);
    return { tasks: [] };
  }
}
