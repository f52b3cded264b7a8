/**
 * `docket strike`, `docket restore` and `docket strikes`: stop a task (or its calls whose
 * argument matches) from running across every process of the docket, lift that, and list the
 * strikes in effect.
 */
import { Argument, type Command } from 'commander';
import { describeStrike, STRIKE_OPERATORS, type Strike } from '../../core/tasks/strike';
import { withDocket, writeLines, type CliSession } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { jsonOption, writeJson } from '../json-output';
import { strikeJson } from '../render/strikes.render';
import { parseStrikeArguments, STRIKE_RANGE_FORM } from '../strike-value';

const VALUE_HELP = `
VALUE is written TYPE:VALUE:
  int:5   float:1.5   bigint:12345678901234567890   bool:true   bool:false
  date:2026-01-01T00:00:00Z (or date:2026-01-01)    null
  str:text (a string; needed when it has a colon, or is the word null)
A bare value, like c-42, is a string: write int:5 to compare with the number 5.
For between, VALUE is ${STRIKE_RANGE_FORM} (both ends included).
Quote "*", ">" and "<" so that the shell leaves them alone.`;

interface JsonOptions {
  json?: boolean;
}

/** The rule's arguments, shared by `strike` and `restore`. */
function ruleArguments(command: Command): Command {
  return command
    .argument('[task]', 'the task name, or "*" for every task that has PARAMETER')
    .argument('[parameter]', "the name of the task's parameter to compare (leave out to match every call)")
    .addArgument(new Argument('[operator]', 'how to compare it (default: ==)').choices(STRIKE_OPERATORS))
    .argument('[value]', 'what to compare it with, e.g. int:5 (see below)');
}

/** Reads the rule, or fails with a usage error before any connection is made. */
function ruleOf(task: string | undefined, parameter: string | undefined, operator: string | undefined, value: string | undefined): Strike {
  try {
    return parseStrikeArguments({ task, parameter, operator, value });
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(`${err.message}\n(add --help for usage)`, ExitCode.USAGE);
    throw err;
  }
}

/** Adds `strike`, `restore` and `strikes` to the program. */
export function registerStrikeCommands(program: Command, session: CliSession): void {
  const { io } = session;
  ruleArguments(program.command('strike'))
    .description('Stop a task, or its calls whose argument matches, from running on every worker (until `docket restore`)')
    .addHelpText(
      'after',
      `${VALUE_HELP}

Examples:
  docket strike sendEmail                              every call of sendEmail
  docket strike sendEmail customerId == c-42           sendEmail calls for customer "c-42"
  docket strike chargeCard amount ">" int:10000        chargeCard calls over 10000
  docket strike "*" amount between int:100..int:1000   calls of any task with amount from 100 to 1000`,
    )
    .addOption(jsonOption())
    .action(async (task: string | undefined, parameter: string | undefined, operator: string | undefined, value: string | undefined, options: JsonOptions, command: Command) => {
      const strike = ruleOf(task, parameter, operator, value);
      await withDocket(command, io, async (docket) => {
        const added = await docket.strike(strike);
        if (options.json) return writeJson(io.stdout, { docket: docket.name, changed: added, strike: strikeJson(strike) });
        writeLines(io.stdout, [`${added ? 'Striking' : 'Already struck:'} ${describeStrike(strike)}`]);
      });
    });
  ruleArguments(program.command('restore'))
    .description('Lift a strike: give the rule exactly as it was struck (`docket strikes` lists them)')
    .addHelpText(
      'after',
      `${VALUE_HELP}
The value's type counts: a strike made with int:5 is restored with int:5, not 5.

Examples:
  docket restore sendEmail
  docket restore chargeCard amount ">" int:10000
  docket restore "*" amount between int:100..int:1000`,
    )
    .addOption(jsonOption())
    .action(async (task: string | undefined, parameter: string | undefined, operator: string | undefined, value: string | undefined, options: JsonOptions, command: Command) => {
      const strike = ruleOf(task, parameter, operator, value);
      await withDocket(command, io, async (docket) => {
        const lifted = await docket.restore(strike);
        if (options.json) return writeJson(io.stdout, { docket: docket.name, changed: lifted, strike: strikeJson(strike) });
        writeLines(io.stdout, [`${lifted ? 'Restoring' : 'Not struck:'} ${describeStrike(strike)}`]);
      });
    });
  program
    .command('strikes')
    .description('List the strikes in effect')
    .addOption(jsonOption())
    .action(async (options: JsonOptions, command: Command) => {
      await withDocket(command, io, async (docket) => {
        const strikes = await docket.strikes();
        if (options.json) return writeJson(io.stdout, { docket: docket.name, strikes: strikes.map(strikeJson) });
        writeLines(io.stdout, strikes.length > 0 ? strikes.map(describeStrike) : [`No strikes in effect on docket "${docket.name}"`]);
      });
    });
}
