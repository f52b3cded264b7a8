/**
 * An interleaved A/B of docket against itself: variants are checkouts (a git worktree of main,
 * say) and environments (DOCKET_BENCH_OTEL=1), each run as one bench round of docket alone, in
 * rotating order, pair after pair, so that the machine's drift falls on every variant alike.
 * Prints, for every metric, each variant's median and its paired per-round ratios to the first.
 *
 *   git worktree add /tmp/ab-main main && ln -s "$PWD/node_modules" /tmp/ab-main/node_modules
 *   npx ts-node --transpile-only test/bench/ab.ts --pairs 7 --only drain,enqueue,e2e \
 *     --variant main=/tmp/ab-main --variant head=. --variant head+otel=.:DOCKET_BENCH_OTEL=1
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './stats';

interface Variant {
  name: string;
  dir: string;
  env: Record<string, string>;
}

interface BenchJson {
  results: { id: string; unit: string; better: 'higher' | 'lower'; rounds: { docket: number[] } }[];
}

function variants(specs: readonly string[]): Variant[] {
  return specs.map((spec) => {
    const [name, rest] = spec.split('=', 2).length === 2 ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [spec, spec];
    const [dir, ...envs] = rest.split(':');
    const env = Object.fromEntries(envs.map((e) => e.split('=', 2) as [string, string]));
    return { name, dir: resolve(dir), env };
  });
}

function main(): void {
  const { values } = parseArgs({
    options: { pairs: { type: 'string', default: '5' }, only: { type: 'string', default: 'drain,enqueue' }, variant: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false } },
    strict: true,
  });
  const all = variants(values.variant ?? []);
  if (all.length < 2) throw new Error('give at least two --variant name=dir[:ENV=value…]');
  const pairs = Number(values.pairs);
  const out = mkdtempSync(join(tmpdir(), 'docket-ab-'));
  const figures = new Map<string, Map<string, number[]>>();
  const meta = new Map<string, { unit: string; better: string }>();
  for (let pair = 0; pair < pairs; pair++) {
    const order = all.map((_, i) => all[(i + pair) % all.length]);
    for (const v of order) {
      const file = join(out, `${v.name}-${pair}.json`);
      const args = ['-r', 'ts-node/register/transpile-only', 'test/bench/main.ts', '--only', values.only!, '--systems', 'docket', '--rounds', '1', '--skip-warmup', '--out', file, ...(values.quick ? ['--quick'] : [])];
      execFileSync(process.execPath, args, { cwd: v.dir, env: { ...process.env, ...v.env }, stdio: 'ignore' });
      const json = JSON.parse(readFileSync(file, 'utf8')) as BenchJson;
      for (const r of json.results) {
        const value = r.rounds.docket[0];
        if (value === undefined) continue;
        meta.set(r.id, { unit: r.unit, better: r.better });
        const byVariant = figures.get(r.id) ?? new Map<string, number[]>();
        byVariant.set(v.name, [...(byVariant.get(v.name) ?? []), value]);
        figures.set(r.id, byVariant);
      }
      process.stderr.write(`pair ${pair + 1}/${pairs}: ${v.name} done\n`);
    }
  }
  const [base, ...others] = all;
  const header = ['metric', ...all.map((v) => `${v.name} (median)`), ...others.map((v) => `${v.name} ÷ ${base.name} (paired: median, min–max)`)];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const [id, byVariant] of figures) {
    const baseRounds = byVariant.get(base.name) ?? [];
    const cells = all.map((v) => fmt(median(byVariant.get(v.name) ?? [])));
    const ratios = others.map((v) => {
      const rounds = byVariant.get(v.name) ?? [];
      const paired = rounds.map((x, i) => x / baseRounds[i]).filter(Number.isFinite);
      return paired.length ? `${median(paired).toFixed(3)} (${Math.min(...paired).toFixed(3)}–${Math.max(...paired).toFixed(3)})` : '–';
    });
    console.log(`| ${id} (${meta.get(id)?.unit}, ${meta.get(id)?.better} is better) | ${[...cells, ...ratios].join(' | ')} |`);
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3)) : '–';
}

main();
