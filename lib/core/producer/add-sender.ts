/**
 * Sends a docket's adds to Redis. The adds of one tick go out together, in script calls of
 * {@link TICK_CHUNK}, each written as soon as it is full, so that Redis works on one while the
 * caller prepares the next; each reply becomes an {@link Execution}.
 */
import { randomBytes } from 'node:crypto';
import { TaskInCooldownError, TaskStruckError } from '../errors/docket.errors';
import { Execution } from '../execution/execution';
import { Disposition, ExecutionState } from '../execution/execution-state.enum';
import type { ScheduleRequest } from '../store';
import { describeStrike } from '../tasks/strike';
import type { DocketConnection } from './docket-connection';
import type { TaskCall } from './task-call';
import { countAdds } from '../telemetry/docket-telemetry';

/**
 * Adds of one tick go out in script calls of this many (measured: 20 beats 10, 34 and one call
 * for all; see README, Performance).
 */
const TICK_CHUNK = 20;

/** Send tokens: this process's random prefix and a counter (see the schedule script). */
const TOKEN_PREFIX = randomBytes(6).toString('base64url');
let sends = 0;
function requestOf(call: TaskCall, reply: string): ScheduleRequest {
  const generated = call.mode === 'new';
  const mode = generated && call.sent ? 'again' : call.mode;
  call.sent = true;
  if (!generated && call.token === '') call.token = `${TOKEN_PREFIX}${(sends++).toString(36)}`;
  return { key: call.key, mode, when: call.when, task: call.task.name, args: call.args, reply, token: call.token, trace: call.trace, cooldown: call.cooldown ?? '', cooldownMs: call.task.cooldown?.window ?? 0, recurrence: call.task.recurrence?.text ?? '' };
}

export class AddSender {
  private tick: { call: TaskCall; resolve: (e: Execution) => void; reject: (err: unknown) => void }[] = [];
  private waitingForStore = 0;

  /** `target`: the docket whose stores, inbox and strikes the sends use. */
  constructor(private readonly target: DocketConnection) {}

  /** Adds one call; the calls of one tick go to Redis together. */
  sendOne(call: TaskCall): Promise<Execution> {
    return new Promise<Execution>((resolve, reject) => {
      this.tick.push({ call, resolve, reject });
      if (this.tick.length >= TICK_CHUNK) this.flushTick();
      else if (this.tick.length === 1) queueMicrotask(() => this.flushTick());
    });
  }

  /** Adds `calls` at once, in one pipelined round trip; struck calls are answered here, unsent. */
  async send(calls: readonly TaskCall[]): Promise<Execution[]> {
    const executions = await this.sendAll(calls);
    countAdds(this.target.telemetry, executions);
    return executions;
  }

  private async sendAll(calls: readonly TaskCall[]): Promise<Execution[]> {
    if (calls.length === 0) return [];
    const strikes = this.target.strikeList();
    // Loaded once per docket; from then on this costs nothing while no strike is in effect.
    const loading = strikes.ready();
    if (loading) await loading.catch((err: unknown) => Promise.reject(this.target.backend.unavailable(err)));
    if (strikes.empty) return this.sendUnstruck(calls);
    const verdicts = calls.map((call) => strikes.match(call.task, this.target.codec.decode(call.args) as unknown[]));
    const sent = await this.sendUnstruck(calls.filter((_, i) => !verdicts[i]));
    let next = 0;
    return calls.map((call, i) => {
      const strike = verdicts[i];
      if (!strike) return sent[next++];
      const shown = describeStrike(strike);
      this.target.logger.warn(`${call.task.name}{${call.key}} is struck (${shown}): not added`);
      return new Execution(this.target, call.key, {
        state: ExecutionState.CANCELLED,
        taskName: call.task.name,
        when: new Date(call.when),
        disposition: Disposition.STRUCK,
        args: call.args,
        notAdded: new TaskStruckError(call.key, call.task.name, shown),
      });
    });
  }

  private async sendUnstruck(calls: readonly TaskCall[]): Promise<Execution[]> {
    if (calls.length === 0) return [];
    // With the result inbox live, outcomes of these runs will be sent to it (see result-inbox.ts).
    const inbox = this.target.openInbox();
    const mark = inbox?.mark();
    const reply = mark ? inbox!.channel : '';
    const requests = calls.map((c) => requestOf(c, reply));
    let replies;
    try {
      // Written before the first await when the connection is open: Redis starts on this chunk
      // while the caller is still preparing the next one.
      let store = this.target.openStore();
      if (!store || this.waitingForStore > 0) {
        // Calls made while the connection opens go out in the order they were made.
        this.waitingForStore++;
        try {
          store = await this.target.store();
        } finally {
          this.waitingForStore--;
        }
      }
      replies = await store.schedule(requests, Date.now());
    } catch (err) {
      throw this.target.backend.unavailable(err);
    }
    return replies.map((reply, i) => {
      const call = calls[i];
      if (reply.status === 'cooled') {
        const window = call.task.cooldown?.window ?? 0;
        return new Execution(this.target, call.key, {
          state: ExecutionState.CANCELLED,
          taskName: call.task.name,
          when: new Date(call.when),
          disposition: Disposition.IN_COOLDOWN,
          args: call.args,
          notAdded: new TaskInCooldownError(call.key, call.task.name, window),
        });
      }
      const disposition =
        reply.status === 'exists'
          ? Disposition.ALREADY_SCHEDULED
          : call.mode === 'replace' && reply.generation !== '1'
            ? Disposition.REPLACED
            : Disposition.SCHEDULED;
      return new Execution(this.target, call.key, {
        state: reply.state,
        taskName: call.task.name,
        when: new Date(reply.when),
        disposition,
        args: call.args,
        generation: reply.generation,
        inbox: reply.status === 'ok' ? mark : undefined,
      });
    });
  }

  private flushTick(): void {
    const batch = this.tick;
    if (batch.length === 0) return;
    this.tick = [];
    this.send(batch.map((b) => b.call)).then(
      (executions) => batch.forEach((b, i) => b.resolve(executions[i])),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }
}
