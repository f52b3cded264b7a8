/** `docket snapshot [--stats] [--json]`: what runs, what is queued and what is scheduled, right now. */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { jsonOption, writeJson } from '../json-output';
import { renderSnapshot, snapshotJson } from '../render/snapshot.render';
import { styleFor } from '../render/style';

/** Adds `snapshot` to the program. */
export function registerSnapshotCommand(program: Command, session: CliSession): void {
  program
    .command('snapshot')
    .description('Show running, queued and scheduled executions (when, state, task, key, worker, started, progress)')
    .option('--stats', 'also count executions per task (--json always has them)')
    .addOption(jsonOption())
    .action(async (options: { stats?: boolean; json?: boolean }, command: Command) => {
      const { io } = session;
      await withDocket(command, io, async (docket) => {
        const snapshot = await docket.snapshot();
        if (options.json) return writeJson(io.stdout, snapshotJson(snapshot, docket.name));
        writeLines(io.stdout, renderSnapshot(snapshot, docket.name, new Date(), { stats: options.stats, style: styleFor(io.stdout, io.env) }));
      });
    });
}
