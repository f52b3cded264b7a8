/**
 * `docket quarantine ls|show|clear`: what the engine moved aside because it could not read or
 * write it (stream entries without a key, damaged records, outcomes the store refused).
 */
import type { Command } from 'commander';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { jsonOption, writeJson } from '../json-output';
import { quarantinedItemJson, renderQuarantine, renderQuarantinedItem } from '../render/quarantine.render';
import { styleFor } from '../render/style';

/** Adds `quarantine` (with `ls`, `show` and `clear`) to the program. */
export function registerQuarantineCommand(program: Command, session: CliSession): void {
  const { io } = session;
  const quarantine = program.command('quarantine').description('List, show and clear what the docket could not read or write');
  quarantine
    .command('ls')
    .description('List quarantined items, newest first: id, when, what, key and why')
    .option('-n, --limit <count>', 'how many to list', '50')
    .addOption(jsonOption())
    .action(async (options: { limit: string; json?: boolean }, command: Command) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number ≥ 1, got ${options.limit}`, ExitCode.USAGE);
      await withDocket(command, io, async (docket) => {
        const { items, total } = await docket.quarantine.list(limit);
        if (options.json) return writeJson(io.stdout, { docket: docket.name, total, items: items.map(quarantinedItemJson) });
        writeLines(io.stdout, renderQuarantine(items, total, docket.name, { style: styleFor(io.stdout, io.env) }));
      });
    });
  quarantine
    .command('show')
    .description('Show one quarantined item with what was found')
    .argument('<id>', 'the id `docket quarantine ls` lists')
    .addOption(jsonOption())
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const item = await docket.quarantine.get(id);
        if (!item) throw new CliError(`No quarantined item ${id} in docket "${docket.name}" (docket quarantine ls lists them).`, ExitCode.FAILED);
        if (options.json) return writeJson(io.stdout, { docket: docket.name, ...quarantinedItemJson(item) });
        writeLines(io.stdout, renderQuarantinedItem(item));
      });
    });
  quarantine
    .command('clear')
    .description('Remove quarantined items: those named, or every one')
    .argument('[ids...]', 'the ids to remove (default: all)')
    .addOption(jsonOption())
    .action(async (ids: string[], options: { json?: boolean }, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const removed = await docket.quarantine.clear(ids.length > 0 ? ids : undefined);
        if (options.json) return writeJson(io.stdout, { docket: docket.name, removed });
        writeLines(io.stdout, [`Removed ${removed} quarantined item${removed === 1 ? '' : 's'} from docket "${docket.name}".`]);
      });
    });
}
