/**
 * `--json`: what a command prints, as one JSON document on one line of stdout, for `jq` and
 * scripts. Dates are ISO 8601 strings, absent values null, never a colour code; errors still go
 * to stderr with a non-zero exit code. The types below keep a Date, a bigint or an undefined
 * from reaching JSON.stringify unconverted.
 */
import { Option } from 'commander';
import type { Output } from './cli-context';

/** A value JSON can carry as it is. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** The help text of `--json`. */
export const JSON_HELP = 'print one JSON document (for jq) instead of text';

/**
 * The `--json` option of a command that prints data.
 *
 * @example
 * program.command('snapshot').addOption(jsonOption());
 */
export function jsonOption(): Option {
  return new Option('--json', JSON_HELP);
}

/**
 * Writes `value` as one line of JSON.
 *
 * @example
 * writeJson(io.stdout, { docket: docket.name, cleared: 3 }); // {"docket":"emails","cleared":3}
 */
export function writeJson(out: Output, value: JsonValue): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/**
 * A date as JSON: its ISO 8601 string, or null when there is none.
 *
 * @example
 * isoOrNull(execution.startedAt); // '2025-01-15T10:30:05.123Z' or null
 */
export function isoOrNull(date: Date | undefined): string | null {
  return date ? date.toISOString() : null;
}
