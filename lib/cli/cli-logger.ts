/**
 * The worker's log lines, plain for people or JSON for log collectors, one line per entry,
 * shared by the core (as a DocketLogger) and by Nest (as a LoggerService).
 */
import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import type { DocketLogger } from '../core/util/logger';
import type { Output } from './cli-context';
import { formatDateTime } from './render/time';

/** `plain`: `2025-01-15 10:30:05.123 INFO  [Docket] message`; `json`: one object per line. */
export type LogFormat = 'plain' | 'json';

/** The lowest level written. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The levels of `--log-level`, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type EntryLevel = LogLevel | 'fatal';
const RANK: Readonly<Record<EntryLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

/**
 * Formats and writes log entries.
 *
 * @example
 * const sink = new LogSink('json', 'info', process.stdout);
 * sink.write('info', 'Docket', 'Worker started');
 */
export class LogSink {
  constructor(
    readonly format: LogFormat,
    readonly level: LogLevel,
    private readonly out: Output,
  ) {}

  /** Writes one entry, unless its level is below the sink's. */
  write(level: EntryLevel, context: string | undefined, message: unknown, stack?: string): void {
    if (RANK[level] < RANK[this.level]) return;
    const now = new Date();
    if (this.format === 'json') {
      const entry = { time: now.toISOString(), level, context, message, stack };
      this.out.write(`${JSON.stringify(entry)}\n`);
      return;
    }
    const text = typeof message === 'string' ? message : inspect(message, { depth: 4, breakLength: Infinity });
    const millis = String(now.getMilliseconds()).padStart(3, '0');
    const where = context ? `[${context}] ` : '';
    this.out.write(`${formatDateTime(now)}.${millis} ${level.toUpperCase().padEnd(5)} ${where}${text}\n${stack ? `${stack}\n` : ''}`);
  }

  /**
   * The sink as the core's logger. The core passes an error's stack as the second argument.
   *
   * @example
   * new Docket({ logger: sink.docketLogger() });
   */
  docketLogger(context = 'Docket'): DocketLogger {
    return {
      log: (message) => this.write('info', context, message),
      warn: (message) => this.write('warn', context, message),
      error: (message, stack) => this.write('error', context, message, typeof stack === 'string' ? stack : undefined),
      debug: (message) => this.write('debug', context, message),
    };
  }

  /**
   * The sink as a Nest logger, for `NestFactory.createApplicationContext(Module, { logger })`.
   * Nest passes the context last, and for errors a stack before it.
   */
  nestLogger(): LoggerService {
    const entry =
      (level: EntryLevel) =>
      (message: unknown, ...params: unknown[]): void => {
        const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
        const stack = (level === 'error' || level === 'fatal') && typeof params[0] === 'string' ? params[0] : undefined;
        this.write(level, context, message, stack);
      };
    return { log: entry('info'), warn: entry('warn'), error: entry('error'), debug: entry('debug'), verbose: entry('debug'), fatal: entry('fatal') };
  }
}
