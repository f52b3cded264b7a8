/** `docket version`: which nestjs-docket this is. */
import type { Command } from 'commander';
import { writeLines, type CliSession } from '../cli-context';
import { packageVersion } from '../version';

/** Adds `version` to the program. */
export function registerVersionCommand(program: Command, session: CliSession): void {
  program
    .command('version')
    .description('Print the version of nestjs-docket')
    .action(() => writeLines(session.io.stdout, [`nestjs-docket ${packageVersion()}`]));
}
