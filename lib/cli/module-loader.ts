/**
 * Loads the Nest module named by `docket worker --module ./dist/app.module.js#AppModule`, and
 * the `@nestjs/core` that module itself would load: resolving it from the module's own
 * directory keeps one copy of Nest (and of nestjs-docket) in the process.
 */
import type { Type } from '@nestjs/common';
import type { NestFactory as NestFactoryStatic } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { CliError, ExitCode } from './cli-error';

/** A Nest module class, the file it came from, and the Nest factory to boot it with. */
export interface LoadedModule {
  readonly moduleClass: Type<unknown>;
  readonly file: string;
  readonly exportName: string;
  readonly nestFactory: typeof NestFactoryStatic;
}

/**
 * Loads `path[#Export]` relative to `cwd`. Without `#Export` it takes `AppModule`, else the
 * default export, else the one export whose name ends in `Module`.
 *
 * @throws CliError (USAGE) naming the file and what it does export, when it cannot be used.
 * @example
 * const { moduleClass, nestFactory } = loadNestModule('./dist/app.module.js#AppModule');
 */
export function loadNestModule(spec: string, cwd = process.cwd()): LoadedModule {
  const hash = spec.lastIndexOf('#');
  const path = hash >= 0 ? spec.slice(0, hash) : spec;
  const wanted = hash >= 0 ? spec.slice(hash + 1) : undefined;
  const file = resolve(cwd, path);
  if (!existsSync(file)) {
    throw new CliError(`--module ${spec}: there is no file ${file}. Point it at the compiled module, e.g. ./dist/app.module.js#AppModule.`, ExitCode.USAGE);
  }
  const load = createRequire(file);
  let nestFactory: typeof NestFactoryStatic;
  try {
    // Nest first: it installs reflect-metadata, which the module's decorators need as they load.
    nestFactory = (load('@nestjs/core') as { NestFactory: typeof NestFactoryStatic }).NestFactory;
  } catch (err) {
    throw new CliError(`--module needs @nestjs/core, installed where ${file} can load it (${(err as Error).message.split('\n')[0]}).`, ExitCode.USAGE);
  }
  const exports = load(file) as Record<string, unknown>;
  const names = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
  const exportName = wanted ?? pickExport(names);
  const moduleClass = exportName === undefined ? undefined : exports[exportName];
  if (typeof moduleClass !== 'function') {
    const found = names.length > 0 ? names.join(', ') : '(no classes)';
    const ask = wanted ? `has no export "${wanted}"` : 'has no obvious module export';
    throw new CliError(`--module ${spec}: ${file} ${ask}; it exports ${found}. Name one with #ExportName.`, ExitCode.USAGE);
  }
  return { moduleClass: moduleClass as Type<unknown>, file, exportName: exportName!, nestFactory };
}

function pickExport(names: readonly string[]): string | undefined {
  if (names.includes('AppModule')) return 'AppModule';
  if (names.includes('default')) return 'default';
  const modules = names.filter((name) => name.endsWith('Module'));
  return modules.length === 1 ? modules[0] : undefined;
}
