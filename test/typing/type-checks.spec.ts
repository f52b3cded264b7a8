/**
 * The compile-time checks of the typing specs (their `@ts-expect-error` lines) under jest too:
 * ts-jest transpiles without type-checking, so without this a check that stopped holding would
 * pass `npx jest`. Runs the TypeScript compiler on those specs and the library.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

describe('the typing specs', () => {
  it('type-check: every @ts-expect-error still expects an error, and nothing else is one', () => {
    const root = resolve(__dirname, '../..');
    const tsc = require.resolve('typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'test/typing/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);
});
