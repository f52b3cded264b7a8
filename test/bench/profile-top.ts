/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): the top functions by self time and by total
 * (inclusive) time, and the share of idle, GC and program time.
 *
 *   npx ts-node --transpile-only test/bench/profile-top.ts <file.cpuprofile> [--top 30] [--from-ms 2000]
 *
 * --from-ms skips the first milliseconds of the profile (process start-up, ts-node compiling).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let where = frame.url.replace(/^file:\/\//, '');
  where = where.includes('/node_modules/') ? where.slice(where.lastIndexOf('/node_modules/') + 14) : relative(process.cwd(), where);
  return `${name}  ${where}:${frame.lineNumber + 1}`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' }, 'from-ms': { type: 'string', default: '0' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [--top N] [--from-ms MS]');
  const top = Number(values.top);
  const fromUs = Number(values['from-ms']) * 1000;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampled = 0;
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    elapsed += dt;
    if (elapsed < fromUs) continue;
    sampled += dt;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf) continue;
    const leafLabel = label(leaf.callFrame);
    self.set(leafLabel, (self.get(leafLabel) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const l = label(node.callFrame);
      if (l === '(root)' || seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  }

  const pct = (us: number): string => `${((100 * us) / sampled).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const print = (title: string, map: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [name, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${pct(us)} ${ms(us)}  ${name}`);
    }
  };
  console.log(`${file}: ${(sampled / 1000).toFixed(0)} ms sampled (from ${values['from-ms']} ms)`);
  const special = ['(idle)', '(garbage collector)', '(program)'].map((k) => `${k} ${pct(self.get(k) ?? 0).trim()}`);
  console.log(special.join(', '));
  print('Top self time', self);
  print('Top total (inclusive) time', total);
}

main();
