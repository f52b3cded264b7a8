/**
 * Exit codes and the one place that turns a failure into a message a person can act on:
 * what went wrong and what to change, never a stack trace (unless DOCKET_DEBUG asks for one).
 */
import { CommanderError } from 'commander';
import { InvalidOptionsError, RedisUnavailableError } from '../core/errors/docket.errors';
import type { Output } from './cli-context';

/**
 * The exit codes of `docket`. `watch` reports the execution's outcome through them.
 *
 * @example
 * docket watch "$KEY"; case $? in 0) echo done;; 1) echo failed;; 3) echo cancelled;; esac
 */
export enum ExitCode {
  /** Success; for `watch`, the execution COMPLETED. */
  OK = 0,
  /** For `watch`, the execution FAILED; otherwise an unexpected error. */
  FAILED = 1,
  /** Redis could not be reached (or its URL is malformed). */
  REDIS_UNAVAILABLE = 2,
  /** For `watch`, the execution was CANCELLED. */
  CANCELLED = 3,
  /** For `watch`, no execution has the key (never added, or its record expired). */
  NOT_FOUND = 4,
  /** The command line was wrong: unknown command or option, malformed value (sysexits EX_USAGE). */
  USAGE = 64,
  /** Stopped by Ctrl-C before it was done (128 + SIGINT). */
  INTERRUPTED = 130,
}

/**
 * A failure the CLI explains itself, with the exit code to leave with.
 *
 * @example
 * throw new CliError(`No execution "${key}" in docket "${name}".`, ExitCode.NOT_FOUND);
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/**
 * Writes what went wrong to `stderr` and returns the exit code for it. Commander has already
 * printed its own usage errors; they only get their code mapped to {@link ExitCode.USAGE}.
 */
export function reportError(error: unknown, stderr: Output, env: NodeJS.ProcessEnv = process.env): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  if (error instanceof CliError) {
    stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  // Commands name where their URL came from (see connection.ts); what is left comes from an app
  // loaded with --module, whose DocketModule options give the URL (by name too: the error may
  // come from the app's own copy of nestjs-docket).
  if (error instanceof RedisUnavailableError || (error instanceof Error && error.name === 'RedisUnavailableError')) {
    stderr.write(`error: ${error.message.replace(/\.\./g, '.')}\n`);
    return ExitCode.REDIS_UNAVAILABLE;
  }
  if (error instanceof InvalidOptionsError || error instanceof RangeError) {
    stderr.write(`error: ${error.message}\n`);
    return ExitCode.USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: ${message}\n`);
  if (env.DOCKET_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('(set DOCKET_DEBUG=1 to see the stack trace)\n');
  return ExitCode.FAILED;
}
