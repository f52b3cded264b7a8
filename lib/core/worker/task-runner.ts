/**
 * Runs one claimed execution: decodes its arguments, calls the task inside its TaskContext,
 * and turns what happened into a Completion. Knows nothing of the worker's loop.
 */
import { ExecutionCancelledError, InvalidOptionsError, TaskTimeoutError } from '../errors/docket.errors';
import { ExecutionProgress } from '../execution/execution-progress';
import { ExecutionState } from '../execution/execution-state.enum';
import type { DocketLogger } from '../util/logger';
import type { ClaimedRun, Completion, Place, PlaceAnswer } from '../store';
import { admissionGroup } from '../tasks/admission';
import { PerpetualChoice } from '../tasks/perpetual';
import { describeStrike } from '../tasks/strike';
import { runInTaskContext, type TaskContext } from './task-context';
import { retryAt } from '../tasks/task-registry';
import { RunCancellation } from './run-cancellation';
import type { RunSite } from './run-site';
import { leaveUnknown } from './unknown-task';
import { countEnded, countNotStarted, meterRun, type RunMeter, type RunOutcome, type RunSpan } from '../telemetry/docket-telemetry';

/** A run in progress, as the worker tracks it. */
export interface ActiveRun {
  readonly run: ClaimedRun;
  readonly cancellation: RunCancellation;
  /** The concurrency limit place the run holds, once it took one. */
  place?: Place;
  /** Settles with the completion to write, or undefined when the run was abandoned. */
  readonly done: Promise<Completion | undefined>;
  abandoned: boolean;
}

function taskLogger(base: DocketLogger, label: string): DocketLogger {
  return {
    log: (m, ...r) => base.log(`${label} ${m}`, ...r),
    warn: (m, ...r) => base.warn(`${label} ${m}`, ...r),
    error: (m, ...r) => base.error(`${label} ${m}`, ...r),
    debug: (m, ...r) => base.debug?.(`${label} ${m}`, ...r),
  };
}

const ms = (n: number): string => `${Math.round(n)}ms`.padStart(7);

/** Starts `run` and returns its handle at once. */
export function startRun(site: RunSite, run: ClaimedRun): ActiveRun {
  const cancellation = new RunCancellation();
  if (run.cancelRequested) cancellation.abort(new ExecutionCancelledError(run.key));
  const active: ActiveRun = { run, cancellation, abandoned: false, done: Promise.resolve(undefined) };
  (active as { done: Promise<Completion | undefined> }).done = execute(site, active);
  return active;
}

/**
 * Asks for a place of the task's concurrency limit for the run (see WorkerStore.acquire);
 * 'failed' when Redis could not be asked, and the run is left to be taken up again.
 */
async function takePlace(site: RunSite, active: ActiveRun, place: Place, call: string): Promise<PlaceAnswer | 'failed'> {
  try {
    const answer = await site.store.acquire(active.run, place, Date.now(), site.leaseMs);
    if (answer === 'parked') site.logger.log(`⏸ ${call} waits for a place: ${place.size} at once for "${place.name}"`);
    return answer;
  } catch (err) {
    site.logger.warn(`${call}: asking for a place of the concurrency limit "${place.name}" failed (${String(err)}); the run is left to be taken up again`);
    return 'failed';
  }
}

async function execute(site: RunSite, active: ActiveRun): Promise<Completion | undefined> {
  const { docket, store, worker, logger } = site;
  const { run, cancellation } = active;
  const definition = docket.tasks.get(run.task) ?? site.fallback;
  // Made on first use: most runs of most tasks never touch their progress or logger.
  let progress: ExecutionProgress | undefined;
  let runLogger: DocketLogger | undefined;
  const base: Omit<Completion, 'outcome'> = { key: run.key, messageId: run.id, generation: run.generation, result: '', errorSummary: '', failure: '' };
  let started = Date.now();
  let call = `${run.task}(…){${run.key}}`;
  let timer: NodeJS.Timeout | undefined;
  // Made when the task starts; both are undefined without an OTel SDK.
  let meter: RunMeter | undefined;
  let span: RunSpan | undefined;
  // A perpetual task's choice of its next run; read when the outcome is written.
  const perpetual = definition?.recurrence && new PerpetualChoice(definition.recurrence);
  const ended = (completion: Completion, ran: RunOutcome, err?: unknown): Completion => {
    // A perpetual run that ended (not cancelled, not tried again) has its next run scheduled with its outcome.
    if (perpetual && completion.outcome !== ExecutionState.CANCELLED && completion.retryAt === undefined) {
      const next = perpetual.next(run.when, docket.backend.now());
      if (next !== undefined) {
        completion.next = next;
        completion.recurrence = definition.recurrence?.text;
      }
    }
    // Abandoned by a stop past its drain timeout: this outcome is thrown away and the run redelivered.
    const outcome: RunOutcome = active.abandoned ? 'abandoned' : ran;
    span?.end(outcome, outcome === 'failed' || outcome === 'retried' ? err : undefined);
    // A run that failed before it started (arguments that cannot be read) is counted all the same.
    if (meter) meter.end(outcome);
    else countEnded(docket.telemetry, run.task, worker, outcome);
    return completion;
  };
  const notStarted = (struck: boolean): Completion => {
    countNotStarted(docket.telemetry, run.task, worker, struck);
    return { ...base, outcome: ExecutionState.CANCELLED };
  };
  try {
    if (!definition) {
      const left = await leaveUnknown(site, run, call);
      if (left === 'left') return undefined;
      if (left === 'cancelled') return notStarted(false);
      throw left;
    }
    const args = docket.codec.decode(run.args) as unknown[];
    call = definition.describe ? `${definition.describe(args)}{${run.key}}` : call;
    const strike = docket.strikeList().match(definition, args);
    if (strike) {
      // Struck after it was added: it ends CANCELLED instead of starting (the outcome acknowledges it).
      logger.warn(`🗙 ${call} is struck (${describeStrike(strike)}): cancelled`);
      return notStarted(true);
    }
    const { rateLimit } = definition;
    let rateGroup: string | undefined;
    if (rateLimit) {
      const group = (rateGroup = admissionGroup(run.task, 'rateLimit', rateLimit, args));
      const answer = await store.admitRate(run, { group, limit: rateLimit.limit, per: rateLimit.window, drop: rateLimit.drop }, docket.backend.now(), docket.executionTtl);
      // Held back (SCHEDULED at the next free slot), dropped or replaced: acknowledged by the script; it does not start.
      if (answer !== 'admitted') {
        logger.log(`⏸ ${call} (rate limit ${group}: ${answer})`);
        return undefined;
      }
    }
    const { concurrency } = definition;
    if (concurrency) {
      const place = { name: concurrency.key ? `${run.task}:${concurrency.key(args)}` : run.task, size: concurrency.limit };
      const answer = await takePlace(site, active, place, call);
      // Not started after all: the rate slot it took goes back; it is counted when it does start.
      if (answer !== 'acquired' && rateGroup !== undefined) {
        await store.returnRate(run, rateGroup).catch((err: unknown) => logger.warn(`${call}: its rate slot in ${rateGroup} could not be given back (${String(err)}); it counts until the window passes`));
      }
      // Parked (it is SCHEDULED again), or left to be taken up again: it does not start.
      if (answer === 'parked' || answer === 'failed') return undefined;
      if (answer !== 'acquired') {
        // The outcome acknowledges the message; for a replaced run the complete script records nothing.
        logger.log(`✗ ${call} (${answer} before it started)`);
        return answer === 'cancelled' ? notStarted(false) : { ...base, outcome: ExecutionState.CANCELLED };
      }
      // Every outcome from here gives the place up.
      active.place = base.place = place;
    }
    started = Date.now();
    logger.log(`${run.attempt > 1 ? '↬' : '↪'} [${ms(started - run.when)}] ${call}`);
    meter = meterRun(docket.telemetry, run.task, worker, run.when, run.redelivered, started);
    span = docket.telemetry.run(run.task, run.key, run.attempt, worker, run.when, run.trace);
    const context: TaskContext = {
      docketName: docket.name,
      key: run.key,
      taskName: run.task,
      attempt: run.attempt,
      worker,
      get when() {
        return new Date(run.when);
      },
      get progress() {
        progress ??= new ExecutionProgress(async (current, total, message) => {
          await store.progress(run.key, run.generation, Date.now(), current, total, message);
        });
        return progress;
      },
      get signal() {
        return cancellation.signal;
      },
      get logger() {
        runLogger ??= taskLogger(logger, `[${run.task} ${run.key} @${worker} #${run.attempt}]`);
        return runLogger;
      },
      perpetual,
      extendTimeout(more: number) {
        if (!Number.isFinite(more) || more < 0) throw new InvalidOptionsError(`extendTimeout() takes a number of ms ≥ 0, got ${more}`);
        if (timer === undefined || timeout === undefined) return;
        deadline += more;
        clearTimeout(timer);
        timer = setTimeout(() => cancellation.abort(new TaskTimeoutError(run.task, deadline - started)), Math.max(0, deadline - Date.now()));
      },
    };
    // A cancelled run ends when it is aborted, whether or not the task honours its signal: a
    // task that ignores it goes on in the background, but its outcome no longer counts.
    const { timeout } = definition;
    let deadline = started + (timeout ?? 0);
    if (timeout !== undefined) timer = setTimeout(() => cancellation.abort(new TaskTimeoutError(run.task, timeout)), timeout);
    const invoke = (): unknown => runInTaskContext(context, () => definition.invoke(args, context));
    const value = await cancellation.race(span ? span.within(invoke) : invoke());
    // In time: what follows (the last progress write) is not the task's and cannot time it out.
    clearTimeout(timer);
    if (progress) await progress.close();
    if (cancellation.cancelled) {
      logger.log(`✗ [${ms(Date.now() - started)}] ${call} (cancelled)`);
      return ended({ ...base, outcome: ExecutionState.CANCELLED }, 'cancelled');
    }
    const result = value === undefined || docket.executionTtl === 0 ? '' : docket.codec.encode(value, 'result', `task "${run.task}"`);
    logger.log(`↩ [${ms(Date.now() - started)}] ${call}`);
    return ended({ ...base, outcome: ExecutionState.COMPLETED, result }, 'completed');
  } catch (thrown) {
    if (progress) await progress.close();
    if (cancellation.cancelled) {
      logger.log(`✗ [${ms(Date.now() - started)}] ${call} (cancelled)`);
      return ended({ ...base, outcome: ExecutionState.CANCELLED }, 'cancelled', cancellation.signal.reason);
    }
    const failure = docket.errorCodec.serialize(thrown);
    const summary = docket.errorCodec.summary(failure);
    // The backend's clock: a memory space's may have been moved ahead by a test.
    const now = docket.backend.now();
    const retry = definition?.retry;
    const again = retry && retryAt(retry, run.attempt, now);
    if (again) {
      logger.warn(`↩ [${ms(now - started)}] ${call} failed: ${summary}; attempt ${run.attempt} of ${retry.attempts}, trying again in ${again - now} ms`);
    } else {
      logger.error(`↩ [${ms(now - started)}] ${call} failed: ${summary}`, failure.stack);
    }
    const completion: Completion = {
      ...base,
      outcome: ExecutionState.FAILED,
      errorSummary: summary,
      failure: docket.executionTtl === 0 && !again ? '' : JSON.stringify(failure),
      ...(again ? { retryAt: again } : {}),
    };
    return ended(completion, again ? 'retried' : 'failed', thrown);
  } finally {
    clearTimeout(timer);
  }
}
