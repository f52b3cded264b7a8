/**
 * `docket tasks trace|fail|sleep`: adds one of the built-in tasks, to try a deployment (a
 * `docket worker` runs them), and prints its key for `docket watch`: in a sentence, alone
 * (`--quiet`, for `KEY=$(docket tasks trace -q)`), or as JSON (`--json`).
 */
import { Argument, Option, type Command } from 'commander';
import type { Docket } from '../../core/producer/docket';
import { Disposition, ExecutionState } from '../../core/execution/execution-state.enum';
import { BUILTIN_TASKS, registerBuiltinTasks } from '../builtin-tasks';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { jsonOption, writeJson } from '../json-output';
import { durationArg, positiveDurationArg } from '../options';
import { formatDateTime } from '../render/time';

interface AddOptions {
  delay?: number;
  key?: string;
  quiet?: boolean;
  json?: boolean;
}

/** Adds `tasks` (with `trace`, `fail` and `sleep`) to the program. */
export function registerTasksCommand(program: Command, session: CliSession): void {
  const tasks = program.command('tasks').description('Add a built-in task (run by `docket worker`) and print its key');
  const add = (name: keyof typeof BUILTIN_TASKS, args: unknown[], options: AddOptions, command: Command): Promise<void> =>
    withDocket(command, session.io, (docket) => addBuiltin(docket, name, args, options, session), registerBuiltinTasks);

  addOptions(tasks.command('trace'))
    .description('Add a task that logs a message on the worker')
    .argument('[message]', 'what to log', 'Howdy!')
    .action((message: string, options: AddOptions, command: Command) => add('trace', [message], options, command));
  addOptions(tasks.command('fail'))
    .description('Add a task that fails with a message')
    .argument('[message]', 'the error message', 'Alas!')
    .action((message: string, options: AddOptions, command: Command) => add('fail', [message], options, command));
  addOptions(tasks.command('sleep'))
    .description('Add a task that sleeps, reporting progress every second')
    .addArgument(new Argument('[duration]', 'how long, e.g. 500ms, 30s or 5m').argParser(positiveDurationArg).default(1_000, '1s'))
    .action((duration: number, options: AddOptions, command: Command) => add('sleep', [duration / 1_000], options, command));
}

/** The options every `tasks` command takes. */
function addOptions(command: Command): Command {
  return command
    .addOption(new Option('--delay <duration>', 'run it later, e.g. 30s or 5m').argParser(durationArg))
    .addOption(new Option('--key <key>', 'the execution key (default: a new UUIDv7)'))
    .addOption(new Option('-q, --quiet', 'print the execution key alone, e.g. KEY=$(docket tasks trace -q)').conflicts('json'))
    .addOption(jsonOption())
    .addHelpText('after', '\nWith --json, one object: docket, key, task, state, disposition and when (ISO 8601).');
}

async function addBuiltin(docket: Docket, name: keyof typeof BUILTIN_TASKS, args: unknown[], options: AddOptions, session: CliSession): Promise<void> {
  const execution = await docket.add(name, { delay: options.delay, key: options.key })(...args);
  const out = session.io.stdout;
  if (execution.disposition === Disposition.STRUCK) {
    throw new CliError(
      `The ${name} task was not added: it is struck in docket "${docket.name}" (docket strikes lists the strikes, docket restore lifts one).`,
      ExitCode.FAILED,
    );
  }
  if (options.quiet) return writeLines(out, [execution.key]);
  if (options.json) {
    const { key, state, disposition, when } = execution;
    return writeJson(out, { docket: docket.name, key, task: name, state, disposition, when: when.toISOString() });
  }
  const already = execution.disposition === Disposition.ALREADY_SCHEDULED ? ' (an execution with this key was already pending; nothing changed)' : '';
  const due = execution.state === ExecutionState.SCHEDULED ? `, due ${formatDateTime(execution.when)}` : '';
  writeLines(out, [`Added ${name} task "${execution.key}" to docket "${docket.name}"${due}${already}`]);
}
