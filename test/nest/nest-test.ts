/**
 * Helpers for the Nest integration's tests: a logger that keeps what Nest's Logger is given, and
 * a way to boot a testing module with it.
 */
import { inspect } from 'node:util';
import type { LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

/** One call of a LoggerService method, with everything it was given. */
export interface LogEntry {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: unknown;
  params: unknown[];
}

/** Keeps every call Nest's Logger forwards, for assertions; prints nothing. */
export class CapturingLogger implements LoggerService {
  readonly entries: LogEntry[] = [];
  log = (message: unknown, ...params: unknown[]): void => this.keep('log', message, params);
  error = (message: unknown, ...params: unknown[]): void => this.keep('error', message, params);
  warn = (message: unknown, ...params: unknown[]): void => this.keep('warn', message, params);
  debug = (message: unknown, ...params: unknown[]): void => this.keep('debug', message, params);
  verbose = (message: unknown, ...params: unknown[]): void => this.keep('verbose', message, params);
  fatal = (message: unknown, ...params: unknown[]): void => this.keep('fatal', message, params);

  /** The messages as text, `LEVEL [context] message`. */
  lines(): string[] {
    return this.entries.map((e) => {
      const context = e.params.at(-1);
      return `${e.level.toUpperCase()} [${typeof context === 'string' ? context : ''}] ${String(e.message)}`;
    });
  }

  /** Everything ever logged, messages and all parameters (stacks, contexts …), as one text. */
  everything(): string {
    return this.entries.map((e) => inspect([e.message, ...e.params], { depth: 10, maxStringLength: Infinity })).join('\n');
  }

  private keep(level: LogEntry['level'], message: unknown, params: unknown[]): void {
    this.entries.push({ level, message, params });
  }
}

/** Compiles a testing module from `metadata` with `logger` and runs its init hooks. */
export async function bootModule(metadata: ModuleMetadata, logger: LoggerService = new CapturingLogger()): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule(metadata).setLogger(logger).compile();
  try {
    await moduleRef.init();
  } catch (err) {
    await moduleRef.close();
    throw err;
  }
  return moduleRef;
}
