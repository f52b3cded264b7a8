/**
 * What every command shares: where output goes, which docket on which Redis (the global
 * `--url` and `--docket`, or the environment: see connection.ts), and opening and closing that
 * docket around the command's work.
 */
import type { Command } from 'commander';
import type { Docket } from '../core/producer/docket';
import type { DocketLogger } from '../core/util/logger';
import { connectionOf, openDocket, type ConnectionOptions } from './connection';

/** A place to write text: process.stdout and process.stderr fit. */
export interface Output {
  write(text: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * The CLI's surroundings, passed in so that tests and embedders can capture output.
 *
 * @example
 * await runCli(['snapshot'], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * One run of the CLI: its surroundings and the exit code its command settles on.
 *
 * @example
 * const session: CliSession = { io, exitCode: ExitCode.OK };
 */
export interface CliSession {
  readonly io: CliIo;
  exitCode: number;
}

/** Writes lines, each ending in a newline. */
export function writeLines(out: Output, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}

/**
 * A logger for commands other than `worker`: the core's routine lines go nowhere, so that
 * stdout holds only what the command prints; its warnings (a lost connection, say) go to stderr
 * once `isConnected()` — before that, a failure to connect is reported once, as an error.
 */
export function quietLogger(stderr: Output, isConnected: () => boolean = () => true): DocketLogger {
  return {
    log: () => undefined,
    warn: (message) => void (isConnected() && stderr.write(`warning: ${message}\n`)),
    error: (message) => void (isConnected() && stderr.write(`error: ${message}\n`)),
  };
}

/**
 * Opens the command's docket, checks that Redis answers (a CliError naming the URL and where it
 * came from otherwise), runs `work`, and closes the docket whatever happens.
 *
 * @example
 * await withDocket(command, io, async (docket) => writeLines(io.stdout, [String(await docket.clear())]));
 */
export async function withDocket<T>(
  command: Command,
  io: CliIo,
  work: (docket: Docket, connection: ConnectionOptions) => Promise<T>,
  setup?: (docket: Docket) => void,
): Promise<T> {
  const connection = connectionOf(command, io.env);
  let connected = false;
  const docket = await openDocket(connection, quietLogger(io.stderr, () => connected), setup);
  connected = true;
  try {
    return await work(docket, connection);
  } finally {
    await docket.close();
  }
}
