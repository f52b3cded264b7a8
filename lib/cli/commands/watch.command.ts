/**
 * `docket watch KEY`: follows one execution live through `Execution.subscribe()` (pub/sub,
 * snapshot first, never polling Redis), and exits with its outcome. On a terminal the view is
 * redrawn in place (and its clocks tick once a second); into a pipe or file it prints one
 * plain line per event; with `--json`, it prints the view once, as JSON, when the execution
 * finishes. A key the docket does not have is answered with the dockets that Redis does have.
 */
import type { Command } from 'commander';
import type { Docket } from '../../core/producer/docket';
import { ExecutionNotFoundError } from '../../core/errors/docket.errors';
import { ExecutionState, isTerminal } from '../../core/execution/execution-state.enum';
import { maskPassword } from '../../core/util/mask-password';
import { quietLogger, withDocket, writeLines, type CliIo, type CliSession } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { sourceText, type ConnectionOptions } from '../connection';
import { findDockets } from '../../core/backends';
import { jsonOption, writeJson } from '../json-output';
import { LiveRegion } from '../render/live-region';
import { describeMissingExecution } from '../render/missing-execution.render';
import { styleFor } from '../render/style';
import { applyWatchEvent, watchJson, watchViewOf, type WatchView } from '../render/watch-view';
import { renderNextRunLine, renderWatchHeader, renderWatchLine, renderWatchView } from '../render/watch.render';

/** The exit code of each terminal state. */
const OUTCOME_CODES: Readonly<Partial<Record<ExecutionState, ExitCode>>> = {
  [ExecutionState.COMPLETED]: ExitCode.OK,
  [ExecutionState.FAILED]: ExitCode.FAILED,
  [ExecutionState.CANCELLED]: ExitCode.CANCELLED,
};

/** Adds `watch` to the program. */
export function registerWatchCommand(program: Command, session: CliSession): void {
  program
    .command('watch')
    .description('Follow one execution live: state, worker, progress, message, timing and outcome')
    .argument('<key>', 'the execution key (as printed by `docket tasks …` or returned by add())')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nWith --json, nothing is printed until the execution finishes (or Ctrl-C), then its last state as one JSON document.' +
        '\nExit codes: 0 completed, 1 failed, 2 Redis unreachable, 3 cancelled, 4 no such execution (never added, or expired).',
    )
    .action(async (key: string, options: { json?: boolean }, command: Command) => {
      session.exitCode = await withDocket(command, session.io, (docket, connection) =>
        watchExecution(docket, key, session.io, { json: options.json, connection }),
      );
    });
}

/** Options of {@link watchExecution}. */
export interface WatchOptions {
  /** The time the views are rendered at (tests fix it). */
  readonly clock?: () => Date;
  /** Print the last view once, as JSON, instead of following along. */
  readonly json?: boolean;
  /** Where the URL came from, for the error about a missing key. */
  readonly connection?: ConnectionOptions;
}

/**
 * Watches the execution under `key` until it finishes; resolves with the exit code of its
 * outcome. An execution that has already finished is printed once, at once.
 *
 * @throws CliError with NOT_FOUND when no execution has the key, naming the dockets that exist.
 * @example
 * process.exitCode = await watchExecution(docket, key, { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function watchExecution(docket: Docket, key: string, io: CliIo, options: WatchOptions = {}): Promise<ExitCode> {
  const clock = options.clock ?? ((): Date => new Date());
  const execution = await docket.getExecution(key);
  if (!execution) throw await notFound(docket, key, io, options.connection);
  let view = watchViewOf(execution, docket.name);
  const out = io.stdout;
  const style = styleFor(out, io.env);
  if (isTerminal(view.state)) {
    // A recurring run's record that is itself finished is the last of its chain.
    if (view.recurrence) view = { ...view, nextRun: null };
    if (options.json) writeJson(out, watchJson(view));
    else writeLines(out, renderWatchView(view, clock(), { style }));
    return outcomeCode(view);
  }
  const region = out.isTTY && !options.json ? new LiveRegion(out) : undefined;
  const draw = (): void => region?.update(renderWatchView(view, clock(), { style }));
  if (region) draw();
  else if (!options.json) writeLines(out, [renderWatchHeader(view)]);
  // Only the clocks (elapsed, "updated … ago", "due in …") need this; Redis is never polled.
  const ticker = region ? setInterval(draw, 1_000) : undefined;
  let interrupted = false;
  let onInterrupt = (): void => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const subscription = execution.subscribe().subscribe({
        next: (event) => {
          view = { ...applyWatchEvent(view, event), task: view.task || execution.taskName };
          if (region) draw();
          else if (!options.json) writeLines(out, [renderWatchLine(view, event, clock())]);
        },
        error: (err: unknown) => {
          if (err instanceof ExecutionNotFoundError) void notFound(docket, key, io, options.connection).then(reject);
          else reject(err);
        },
        complete: resolve,
      });
      onInterrupt = () => {
        interrupted = true;
        subscription.unsubscribe();
        resolve();
      };
      process.once('SIGINT', onInterrupt);
    });
  } finally {
    if (ticker) clearInterval(ticker);
    process.off('SIGINT', onInterrupt);
  }
  if (!interrupted && !isTerminal(view.state)) {
    throw new CliError(`The record of execution "${key}" expired while it was being watched.`, ExitCode.NOT_FOUND);
  }
  if (!interrupted && view.recurrence) {
    // One read, once: the complete script wrote the next run (if any) with the outcome.
    view = { ...view, nextRun: await nextRunOf(docket, key) };
    if (region) draw();
    else if (!options.json) writeLines(out, [renderNextRunLine(view, clock())]);
  }
  if (options.json) writeJson(out, watchJson(view));
  return interrupted ? ExitCode.INTERRUPTED : outcomeCode(view);
}

/** When the run after a recurring run that just finished is due; null when none waits under its key. */
async function nextRunOf(docket: Docket, key: string): Promise<Date | null> {
  const next = await docket.getExecution(key);
  return next && !isTerminal(next.state) ? next.when : null;
}

function outcomeCode(view: WatchView): ExitCode {
  return OUTCOME_CODES[view.state] ?? ExitCode.FAILED;
}

/** The error for a key the docket does not have, naming the dockets this Redis has (a failed search names none). */
async function notFound(docket: Docket, key: string, io: CliIo, connection: ConnectionOptions | undefined): Promise<CliError> {
  const found = await findDockets(docket.url, key, quietLogger(io.stderr, () => false)).catch(() => undefined);
  const redis = { url: maskPassword(docket.url), from: connection && sourceText(connection.urlFrom) };
  return new CliError(describeMissingExecution(key, docket.name, found, redis).join('\n'), ExitCode.NOT_FOUND);
}
