/**
 * What every command shares: where output goes, which docket on which Redis (the global
 * `--url` and `--docket`), and opening and closing that docket around the command's work.
 */
import type { Command } from 'commander';
import { Docket } from '../core/producer/docket';
import type { DocketLogger } from '../core/util/logger';

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

/** The docket a command works on. */
export interface ConnectionOptions {
  /** The Redis URL (`--url`, env DOCKET_URL). */
  readonly url: string;
  /** The docket's name (`--docket`, env DOCKET_NAME). */
  readonly docket: string;
}

/** The global `--url` and `--docket` as seen from `command`, wherever they were written. */
export function connectionOf(command: Command): ConnectionOptions {
  const { url, docket } = command.optsWithGlobals<ConnectionOptions>();
  return { url, docket };
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
 * Opens the command's docket, checks that Redis answers (a RedisUnavailableError naming the
 * URL otherwise), runs `work`, and closes the docket whatever happens.
 *
 * @example
 * await withDocket(command, io, async (docket) => writeLines(io.stdout, [String(await docket.clear())]));
 */
export async function withDocket<T>(command: Command, io: CliIo, work: (docket: Docket) => Promise<T>, setup?: (docket: Docket) => void): Promise<T> {
  const { url, docket: name } = connectionOf(command);
  let connected = false;
  const docket = new Docket({ name, url, logger: quietLogger(io.stderr, () => connected) });
  try {
    setup?.(docket);
    await docket.connect();
    connected = true;
    return await work(docket);
  } finally {
    await docket.close();
  }
}
