/** `docket workers ls` and `docket workers for-task TASK`: the live workers of a docket. */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { jsonOption, writeJson } from '../json-output';
import { styleFor } from '../render/style';
import { renderWorkers, workersJson } from '../render/workers.render';

/** Adds `workers` (with `ls` and `for-task`) to the program. */
export function registerWorkersCommand(program: Command, session: CliSession): void {
  const { io } = session;
  const workers = program.command('workers').description('List the live workers of the docket');
  workers
    .command('ls')
    .description('List live workers: name, last heartbeat, concurrency and tasks')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const live = await docket.workers();
        if (options.json) return writeJson(io.stdout, { docket: docket.name, workers: workersJson(live) });
        writeLines(io.stdout, renderWorkers(live, docket.name, new Date(), { style: styleFor(io.stdout, io.env) }));
      });
    });
  workers
    .command('for-task')
    .description('List the live workers that run a task')
    .argument('<task>', 'the task name')
    .addOption(jsonOption())
    .action(async (task: string, options: { json?: boolean }, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const running = (await docket.workers()).filter((w) => w.tasks.includes(task));
        if (options.json) return writeJson(io.stdout, { docket: docket.name, task, workers: workersJson(running) });
        writeLines(io.stdout, renderWorkers(running, docket.name, new Date(), { task, style: styleFor(io.stdout, io.env) }));
      });
    });
}
