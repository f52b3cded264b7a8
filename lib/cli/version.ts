/** The package's version, read from its package.json (lib/cli and dist/cli sit two levels down). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version of nestjs-docket this CLI belongs to.
 *
 * @example
 * packageVersion(); // '0.1.0'
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
