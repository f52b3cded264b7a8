/** `docket workers ls` and `docket workers for-task TASK`: the live workers of a docket. */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { styleFor } from '../render/style';
import { renderWorkers } from '../render/workers.render';

/** Adds `workers` (with `ls` and `for-task`) to the program. */
export function registerWorkersCommand(program: Command, session: CliSession): void {
  const { io } = session;
  const workers = program.command('workers').description('List the live workers of the docket');
  workers
    .command('ls')
    .description('List live workers: name, last heartbeat, concurrency and tasks')
    .action(async (_options: unknown, command: Command) => {
      await withDocket(command, io, async (docket) => {
        writeLines(io.stdout, renderWorkers(await docket.workers(), docket.name, new Date(), { style: styleFor(io.stdout, io.env) }));
      });
    });
  workers
    .command('for-task')
    .description('List the live workers that run a task')
    .argument('<task>', 'the task name')
    .action(async (task: string, _options: unknown, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const running = (await docket.workers()).filter((w) => w.tasks.includes(task));
        writeLines(io.stdout, renderWorkers(running, docket.name, new Date(), { task, style: styleFor(io.stdout, io.env) }));
      });
    });
}
