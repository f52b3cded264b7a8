/**
 * `docket tasks trace|fail|sleep`: adds one of the built-in tasks, to try a deployment (a
 * `docket worker` runs them), and prints its key for `docket watch`.
 */
import { Argument, Option, type Command } from 'commander';
import type { Docket } from '../../core/producer/docket';
import { Disposition, ExecutionState } from '../../core/execution/execution-state.enum';
import { BUILTIN_TASKS, registerBuiltinTasks } from '../builtin-tasks';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { durationArg, positiveDurationArg } from '../options';
import { formatDateTime } from '../render/time';

interface AddOptions {
  delay?: number;
  key?: string;
}

/** Adds `tasks` (with `trace`, `fail` and `sleep`) to the program. */
export function registerTasksCommand(program: Command, session: CliSession): void {
  const tasks = program.command('tasks').description('Add a built-in task (run by `docket worker`) and print its key');
  const delay = (): Option => new Option('--delay <duration>', 'run it later, e.g. 30s or 5m').argParser(durationArg);
  const key = (): Option => new Option('--key <key>', 'the execution key (default: a new UUIDv7)');
  const add = (name: keyof typeof BUILTIN_TASKS, args: unknown[], options: AddOptions, command: Command): Promise<void> =>
    withDocket(command, session.io, (docket) => addBuiltin(docket, name, args, options, session), registerBuiltinTasks);

  tasks
    .command('trace')
    .description('Add a task that logs a message on the worker')
    .argument('[message]', 'what to log', 'Howdy!')
    .addOption(delay())
    .addOption(key())
    .action((message: string, options: AddOptions, command: Command) => add('trace', [message], options, command));
  tasks
    .command('fail')
    .description('Add a task that fails with a message')
    .argument('[message]', 'the error message', 'Alas!')
    .addOption(delay())
    .addOption(key())
    .action((message: string, options: AddOptions, command: Command) => add('fail', [message], options, command));
  tasks
    .command('sleep')
    .description('Add a task that sleeps, reporting progress every second')
    .addArgument(new Argument('[duration]', 'how long, e.g. 500ms, 30s or 5m').argParser(positiveDurationArg).default(1_000, '1s'))
    .addOption(delay())
    .addOption(key())
    .action((duration: number, options: AddOptions, command: Command) => add('sleep', [duration / 1_000], options, command));
}

async function addBuiltin(docket: Docket, name: keyof typeof BUILTIN_TASKS, args: unknown[], options: AddOptions, session: CliSession): Promise<void> {
  const execution = await docket.add(name, { delay: options.delay, key: options.key })(...args);
  const already = execution.disposition === Disposition.ALREADY_SCHEDULED ? ' (an execution with this key was already pending; nothing changed)' : '';
  const due = execution.state === ExecutionState.SCHEDULED ? `, due ${formatDateTime(execution.when)}` : '';
  writeLines(session.io.stdout, [`Added ${name} task "${execution.key}" to docket "${docket.name}"${due}${already}`]);
}
