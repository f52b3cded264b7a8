/**
 * Parsers for option values, each failing with a message that says what a right value looks
 * like; commander prints it next to the option's name and the CLI exits with USAGE.
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from './duration';

/**
 * Parses a duration option (`500ms`, `30s`, `5m`, `1h`, `mm:ss`) into ms.
 *
 * @example
 * new Option('--drain-timeout <duration>').argParser(durationArg);
 */
export function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/**
 * Parses a duration that must be more than zero.
 *
 * @example
 * new Option('--scheduling-resolution <duration>').argParser(positiveDurationArg);
 */
export function positiveDurationArg(value: string): number {
  const ms = durationArg(value);
  if (ms <= 0) throw new InvalidArgumentError(`"${value}" must be longer than 0 (e.g. 250ms).`);
  return ms;
}

/**
 * Parses a whole number of at least 1.
 *
 * @example
 * new Option('--concurrency <n>').argParser(positiveIntArg);
 */
export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1.`);
  }
  return n;
}

/**
 * Parses a TCP port (1–65535).
 *
 * @example
 * new Option('--metrics-port <port>').argParser(portArg);
 */
export function portArg(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > 65_535) {
    throw new InvalidArgumentError(`"${value}" is not a TCP port (1–65535).`);
  }
  return n;
}

/** The longest timer Node keeps (ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Parses a duration that must be more than zero and no longer than a timer can wait (~24 days).
 *
 * @example
 * new Option('--health-timeout <duration>').argParser(timerDurationArg);
 */
export function timerDurationArg(value: string): number {
  const ms = positiveDurationArg(value);
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`"${value}" is longer than a timer can wait: at most ${MAX_TIMER_MS} ms (about 24 days).`);
  return ms;
}

/**
 * Parses a whole number of at least 0.
 *
 * @example
 * new Option('--health-max-queued <n>').argParser(wholeNumberArg);
 */
export function wholeNumberArg(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of at least 0.`);
  }
  return n;
}
