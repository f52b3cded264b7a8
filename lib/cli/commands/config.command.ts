/**
 * `docket config`: which Redis URL and docket the other commands use, and where each came from
 * (a flag, an environment variable, or the default), without connecting to anything.
 */
import type { Command } from 'commander';
import { maskPassword } from '../../core/util/mask-password';
import { writeLines, type CliSession } from '../cli-context';
import { connectionOf, sourceText } from '../connection';
import { jsonOption, writeJson } from '../json-output';

/** Adds `config` to the program. */
export function registerConfigCommand(program: Command, session: CliSession): void {
  const { io } = session;
  program
    .command('config')
    .description('Show the Redis URL and docket the commands use, and where each came from (connects to nothing)')
    .addOption(jsonOption())
    .action((options: { json?: boolean }, command: Command) => {
      const { url, urlFrom, docket, docketFrom } = connectionOf(command, io.env);
      const shown = maskPassword(url);
      if (options.json) return writeJson(io.stdout, { url: shown, urlFrom, docket, docketFrom });
      writeLines(io.stdout, [`Redis URL: ${shown} (from ${sourceText(urlFrom)})`, `Docket:    ${docket} (from ${sourceText(docketFrom)})`]);
    });
}
