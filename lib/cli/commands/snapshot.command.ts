/** `docket snapshot [--stats]`: what runs, what is queued and what is scheduled, right now. */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { renderSnapshot } from '../render/snapshot.render';
import { styleFor } from '../render/style';

/** Adds `snapshot` to the program. */
export function registerSnapshotCommand(program: Command, session: CliSession): void {
  program
    .command('snapshot')
    .description('Show running, queued and scheduled executions (when, state, task, key, worker, started, progress)')
    .option('--stats', 'also count executions per task')
    .action(async (options: { stats?: boolean }, command: Command) => {
      const { io } = session;
      await withDocket(command, io, async (docket) => {
        const snapshot = await docket.snapshot();
        writeLines(io.stdout, renderSnapshot(snapshot, docket.name, new Date(), { stats: options.stats, style: styleFor(io.stdout, io.env) }));
      });
    });
}
