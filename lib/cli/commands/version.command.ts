/** `docket version`: which nestjs-docket this is. */
import type { Command } from 'commander';
import { writeLines, type CliSession } from '../cli-context';
import { jsonOption, writeJson } from '../json-output';
import { packageVersion } from '../version';

/** Adds `version` to the program. */
export function registerVersionCommand(program: Command, session: CliSession): void {
  program
    .command('version')
    .description('Print the version of nestjs-docket')
    .addOption(jsonOption())
    .action((options: { json?: boolean }) => {
      if (options.json) return writeJson(session.io.stdout, { name: 'nestjs-docket', version: packageVersion() });
      writeLines(session.io.stdout, [`nestjs-docket ${packageVersion()}`]);
    });
}
