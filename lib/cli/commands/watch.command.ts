/**
 * `docket watch KEY`: follows one execution live through `Execution.subscribe()` (pub/sub,
 * snapshot first, never polling Redis), and exits with its outcome. On a terminal the view is
 * redrawn in place (and its clocks tick once a second); into a pipe or file it prints one
 * plain line per event.
 */
import type { Command } from 'commander';
import type { Docket } from '../../core/producer/docket';
import { ExecutionNotFoundError } from '../../core/errors/docket.errors';
import { ExecutionState, isTerminal } from '../../core/execution/execution-state.enum';
import { withDocket, writeLines, type CliIo, type CliSession } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { LiveRegion } from '../render/live-region';
import { styleFor } from '../render/style';
import { applyWatchEvent, watchViewOf, type WatchView } from '../render/watch-view';
import { renderWatchHeader, renderWatchLine, renderWatchView } from '../render/watch.render';

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
    .addHelpText(
      'after',
      '\nExit codes: 0 completed, 1 failed, 2 Redis unreachable, 3 cancelled, 4 no such execution (never added, or expired).',
    )
    .action(async (key: string, _options: unknown, command: Command) => {
      session.exitCode = await withDocket(command, session.io, (docket) => watchExecution(docket, key, session.io));
    });
}

/**
 * Watches the execution under `key` until it finishes; resolves with the exit code of its
 * outcome. An execution that has already finished is printed once, at once.
 *
 * @throws CliError with NOT_FOUND when no execution has the key.
 * @example
 * process.exitCode = await watchExecution(docket, key, { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function watchExecution(docket: Docket, key: string, io: CliIo, clock: () => Date = () => new Date()): Promise<ExitCode> {
  const execution = await docket.getExecution(key);
  if (!execution) throw notFound(docket, key);
  let view = watchViewOf(execution, docket.name);
  const out = io.stdout;
  const style = styleFor(out, io.env);
  if (isTerminal(view.state)) {
    writeLines(out, renderWatchView(view, clock(), { style }));
    return outcomeCode(view);
  }
  const region = out.isTTY ? new LiveRegion(out) : undefined;
  const draw = (): void => region?.update(renderWatchView(view, clock(), { style }));
  if (region) draw();
  else writeLines(out, [renderWatchHeader(view)]);
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
          else writeLines(out, [renderWatchLine(view, event, clock())]);
        },
        error: (err: unknown) => reject(err instanceof ExecutionNotFoundError ? notFound(docket, key) : err),
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
  if (interrupted) return ExitCode.INTERRUPTED;
  if (!isTerminal(view.state)) {
    throw new CliError(`The record of execution "${key}" expired while it was being watched.`, ExitCode.NOT_FOUND);
  }
  return outcomeCode(view);
}

function outcomeCode(view: WatchView): ExitCode {
  return OUTCOME_CODES[view.state] ?? ExitCode.FAILED;
}

function notFound(docket: Docket, key: string): CliError {
  return new CliError(
    `No execution "${key}" in docket "${docket.name}": it was never added, or it finished longer ago ` +
      `than the execution TTL and its record expired. Check the key, and --docket / DOCKET_NAME.`,
    ExitCode.NOT_FOUND,
  );
}
