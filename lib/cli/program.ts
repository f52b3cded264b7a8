/**
 * The `docket` program: global options, the commands, and the mapping of every failure to a
 * message and an exit code (see {@link ExitCode}).
 */
import { Command, Help, Option } from 'commander';
import type { CliIo, CliSession } from './cli-context';
import { ExitCode, reportError } from './cli-error';
import { registerClearCommand } from './commands/clear.command';
import { registerConfigCommand } from './commands/config.command';
import { registerQuarantineCommand } from './commands/quarantine.command';
import { registerSnapshotCommand } from './commands/snapshot.command';
import { registerStrikeCommands } from './commands/strike.command';
import { registerTasksCommand } from './commands/tasks.command';
import { registerVersionCommand } from './commands/version.command';
import { registerWatchCommand } from './commands/watch.command';
import { registerWorkerCommand } from './commands/worker.command';
import { registerWorkersCommand } from './commands/workers.command';
import { DOCKET_HELP, ENVIRONMENT_HELP, URL_HELP } from './connection';
import { packageVersion } from './version';

/**
 * Builds the program. `--url` and `--docket` are global: they may be written before or after
 * the command, and every command's help lists them with the environment variables they fall
 * back on (see connection.ts).
 *
 * @example
 * await createProgram({ io, exitCode: 0 }).parseAsync(['snapshot', '--stats'], { from: 'user' });
 */
export function createProgram(session: CliSession): Command {
  const { io } = session;
  const program = new Command('docket')
    .description('Distributed background tasks on Redis streams (nestjs-docket): run workers, add and watch tasks, inspect a docket.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // No commander .env()/.default(): connectionOf() reads the CLI's own environment, with a
    // second variable (REDIS_URL) commander has no way to express.
    .addOption(new Option('-u, --url <url>', URL_HELP))
    .addOption(new Option('-d, --docket <name>', DOCKET_HELP))
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}\n\nExit codes: 0 success, 1 failure (watch: the task failed), 2 Redis unreachable, 3 watch: cancelled, ` +
        '4 watch: no such execution, 64 usage error.',
    )
    // Settings set here are inherited by every command made with .command() below.
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: false,
      // strike and restore take a rule of four optional parts: their own help spells it out.
      subcommandTerm(this: Help, cmd: Command): string {
        return cmd.registeredArguments.length > 2 ? `${cmd.name()} [rule]` : Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  registerWatchCommand(program, session);
  registerWorkerCommand(program, session);
  registerSnapshotCommand(program, session);
  registerWorkersCommand(program, session);
  registerClearCommand(program, session);
  registerStrikeCommands(program, session);
  registerQuarantineCommand(program, session);
  registerTasksCommand(program, session);
  registerConfigCommand(program, session);
  registerVersionCommand(program, session);
  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and resolves with the exit code.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const session: CliSession = { io, exitCode: ExitCode.OK };
  try {
    await createProgram(session).parseAsync([...argv], { from: 'user' });
    return session.exitCode;
  } catch (error) {
    return reportError(error, io.stderr, io.env);
  }
}
