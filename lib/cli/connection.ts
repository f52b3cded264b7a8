/**
 * Which Redis and which docket a command works on, and where each came from: the global
 * `--url` / `--docket`, else the environment (DOCKET_URL, then REDIS_URL as the sample app and
 * most hosts set it; DOCKET_NAME), else the defaults. Read from the CLI's own environment
 * (`CliIo.env`), so that a run in process sees the same thing as a run from a shell.
 */
import type { Command } from 'commander';
import { isMemoryUrl } from '../core/backends';
import { RedisUnavailableError } from '../core/errors/docket.errors';
import { Docket } from '../core/producer/docket';
import { DEFAULT_DOCKET_NAME as DEFAULT_DOCKET, DEFAULT_DOCKET_URL as DEFAULT_URL } from '../core/producer/docket.options';
import type { DocketLogger } from '../core/util/logger';
import { CliError, ExitCode } from './cli-error';

/** The environment variables that give the Redis URL, first one set wins. */
export const URL_ENV_VARS = ['DOCKET_URL', 'REDIS_URL'] as const;
/** The environment variable that gives the docket name. */
export const DOCKET_ENV_VAR = 'DOCKET_NAME';

/** Where a setting came from: its flag, an environment variable, or the default. */
export type SettingSource = '--url' | '--docket' | (typeof URL_ENV_VARS)[number] | typeof DOCKET_ENV_VAR | 'default';

/** The docket a command works on, and where its URL and name came from. */
export interface ConnectionOptions {
  /** The Redis URL: `--url`, else DOCKET_URL, else REDIS_URL, else {@link DEFAULT_URL}. */
  readonly url: string;
  /** The docket's name: `--docket`, else DOCKET_NAME, else {@link DEFAULT_DOCKET}. */
  readonly docket: string;
  /** Where {@link ConnectionOptions.url} came from. */
  readonly urlFrom: SettingSource;
  /** Where {@link ConnectionOptions.docket} came from. */
  readonly docketFrom: SettingSource;
}

/** The help text of the global `--url`. */
export const URL_HELP = `the Redis URL (default: $DOCKET_URL, else $REDIS_URL, else ${DEFAULT_URL})`;
/** The help text of the global `--docket`. */
export const DOCKET_HELP = `the docket name (default: $DOCKET_NAME, else "${DEFAULT_DOCKET}")`;

/** The program's help section on the environment. */
export const ENVIRONMENT_HELP = `
Environment:
  DOCKET_URL    the Redis URL when --url is not given
  REDIS_URL     the Redis URL when neither --url nor DOCKET_URL is given
                (default: ${DEFAULT_URL})
  DOCKET_NAME   the docket name when --docket is not given (default: ${DEFAULT_DOCKET})
  NO_COLOR      no colours, even on a terminal
  DOCKET_DEBUG  print the stack trace of an unexpected error
\`docket config\` shows which URL and docket the commands use, and where each came from.`;

/** The value of the first variable of `names` set (and not empty) in `env`. */
function fromEnv<N extends string>(env: NodeJS.ProcessEnv, names: readonly N[]): { value: string; name: N } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, name };
  }
  return undefined;
}

/**
 * The global `--url` and `--docket` as seen from `command` (wherever they were written), else
 * the environment, else the defaults. An empty variable counts as unset.
 *
 * @example
 * const { url, docket, urlFrom } = connectionOf(command, io.env); // urlFrom: 'REDIS_URL'
 */
export function connectionOf(command: Command, env: NodeJS.ProcessEnv): ConnectionOptions {
  const flags = command.optsWithGlobals<{ url?: string; docket?: string }>();
  const url = flags.url !== undefined ? { value: flags.url, name: '--url' as const } : fromEnv(env, URL_ENV_VARS);
  const docket = flags.docket !== undefined ? { value: flags.docket, name: '--docket' as const } : fromEnv(env, [DOCKET_ENV_VAR]);
  return {
    url: url?.value ?? DEFAULT_URL,
    urlFrom: url?.name ?? 'default',
    docket: docket?.value ?? DEFAULT_DOCKET,
    docketFrom: docket?.name ?? 'default',
  };
}

/**
 * Where a setting came from, in words: `--url`, `$REDIS_URL`, `the default`.
 *
 * @example
 * sourceText('REDIS_URL'); // '$REDIS_URL'
 */
export function sourceText(source: SettingSource): string {
  if (source === 'default') return 'the default';
  return source.startsWith('--') ? source : `$${source}`;
}

/** True for a RedisUnavailableError, also one from another copy of nestjs-docket. */
export function isRedisUnavailable(error: unknown): error is Error {
  return error instanceof RedisUnavailableError || (error instanceof Error && error.name === 'RedisUnavailableError');
}

/**
 * Redis could not be reached (or its URL is malformed): the error, with where the URL came from
 * and how to give another.
 *
 * @example
 * try { await docket.connect(); } catch (err) { throw isRedisUnavailable(err) ? unreachable(err, connection) : err; }
 */
export function unreachable(error: Error, connection: ConnectionOptions): CliError {
  return new CliError(
    `${error.message.replace(/\.\./g, '.')}\n` +
      `The URL came from ${sourceText(connection.urlFrom)}; give another with --url, DOCKET_URL or REDIS_URL.`,
    ExitCode.REDIS_UNAVAILABLE,
  );
}

/**
 * Makes the docket of `connection` and connects it (after `setup`, which may register tasks).
 * When Redis cannot be reached, the docket is closed and the error says where the URL came from.
 *
 * @throws CliError with REDIS_UNAVAILABLE when Redis does not answer or the URL is malformed.
 * @example
 * const docket = await openDocket(connectionOf(command, io.env), logger);
 */
export async function openDocket(connection: ConnectionOptions, logger: DocketLogger, setup?: (docket: Docket) => void): Promise<Docket> {
  if (isMemoryUrl(connection.url)) {
    throw new CliError(
      `${connection.url} (from ${sourceText(connection.urlFrom)}) is an in-process backend: its work lives inside the one process that uses it, ` +
        'and the docket command runs in a process of its own, so it can neither see nor run that work. Give the Redis URL your app uses (--url, DOCKET_URL or REDIS_URL).',
      ExitCode.USAGE,
    );
  }
  let docket: Docket | undefined;
  try {
    docket = new Docket({ name: connection.docket, url: connection.url, logger });
    setup?.(docket);
    return await docket.connect();
  } catch (error) {
    await docket?.close();
    throw isRedisUnavailable(error) ? unreachable(error, connection) : error;
  }
}
