/** `docket clear`: cancels every queued and scheduled execution (running ones go on). */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { jsonOption, writeJson } from '../json-output';

/** Adds `clear` to the program. */
export function registerClearCommand(program: Command, session: CliSession): void {
  program
    .command('clear')
    .description('Remove every queued and scheduled execution (running ones are left to finish)')
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }, command: Command) => {
      await withDocket(command, session.io, async (docket) => {
        const cleared = await docket.clear();
        if (options.json) return writeJson(session.io.stdout, { docket: docket.name, cleared });
        writeLines(session.io.stdout, [`Cleared ${cleared} execution${cleared === 1 ? '' : 's'} from docket "${docket.name}"`]);
      });
    });
}
