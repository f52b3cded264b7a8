/**
 * A small mutation run: each mutation below is a one-line bug put into lib/, alone; the tests
 * that should catch it are run against it, and a mutation they do not catch is a gap in the
 * suite. The source is put back after each, whatever happens.
 *
 *   npm run mutate                     every mutation, against the test files it names
 *   npm run mutate -- --full           every mutation, against the whole suite (slow)
 *   npm run mutate -- --only 3,7       some of them
 *
 * Mutations of lib/cli are left out: the CLI's tests run its built form (dist).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Mutation {
  readonly what: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly tests: readonly string[];
}

const MUTATIONS: readonly Mutation[] = [
  {
    what: 'the claim runs a cancelled record',
    file: 'lib/core/redis/scripts/claim.script.ts',
    from: "(state == 'queued' or (state == 'running'",
    to: "(state == 'queued' or state == 'cancelled' or (state == 'running'",
    tests: ['test/core/cancel'],
  },
  {
    what: 'the cancel leaves a queued run in the stream',
    file: 'lib/core/redis/scripts/cancel.script.ts',
    from: "  redis.call('XDEL', stream, r[2])\n",
    to: '\n',
    tests: ['test/core/cancel'],
  },
  {
    what: 'a subscriber emits events as old as its snapshot',
    file: 'lib/core/execution/execution-events.ts',
    from: 'event.seq <= lastSeq',
    to: 'event.seq < lastSeq',
    tests: ['test/core/snapshot-order'],
  },
  {
    what: 'a subscriber emits every event it hears',
    file: 'lib/core/execution/execution-events.ts',
    from: 'if (closed || event.seq <= lastSeq) return;',
    to: 'if (closed) return;',
    tests: ['test/core/snapshot-order'],
  },
  {
    what: 'a run starts from any message of its generation',
    file: 'lib/core/redis/scripts/claim.script.ts',
    from: 'r[2] == gen and r[11] == id and',
    to: 'r[2] == gen and',
    tests: ['test/reliability/bad-data'],
  },
  {
    what: 'the complete script acknowledges nothing',
    file: 'lib/core/redis/scripts/complete.script.ts',
    from: "  redis.call('XACK', stream, group, unpack(chunk))\n  redis.call('XDEL', stream, unpack(chunk))\n",
    to: '\n',
    tests: ['test/core/crash', 'test/core/scheduling'],
  },
  {
    what: 'a refused outcome is retried for ever',
    file: 'lib/core/worker/outcome-writer.ts',
    from: 'const REFUSALS_KEPT = 4;',
    to: 'const REFUSALS_KEPT = Infinity;',
    tests: ['test/reliability/faults'],
  },
  {
    what: "a listener's error reaches ioredis",
    file: 'lib/core/redis/subscriber.ts',
    from: '        listener.onMessage(message, channel);\n      } catch (err) {',
    to: '        listener.onMessage(message, channel);\n      } finally {\n      }\n      if (Math.random() > 2) {\n        const err: unknown = undefined;',
    tests: ['test/reliability/bad-data'],
  },
  {
    what: 'no depth limit on encode',
    file: 'lib/core/codec/codec.ts',
    from: 'if (depth > MAX_DEPTH) throw new SerializationError(path',
    to: 'if (depth > Infinity) throw new SerializationError(path',
    tests: ['test/reliability/codec-limits'],
  },
  {
    what: 'shared objects take the plain path',
    file: 'lib/core/codec/codec.ts',
    from: 'if (depth > MAX_FAST_DEPTH || seen.has(value)) return false;',
    to: 'if (depth > MAX_FAST_DEPTH) return false;',
    tests: ['test/reliability/codec-limits'],
  },
  {
    what: 'passwords are printed',
    file: 'lib/core/redis/redis-url.ts',
    from: "const at = masked.lastIndexOf('@');",
    to: 'const at = -1;',
    tests: ['test/reliability/urls', 'test/core/connection'],
  },
  {
    what: 'stop() waits for the claim loop without a deadline',
    file: 'lib/core/worker/worker.ts',
    from: 'await settledBy(deadline, this.loop);',
    to: 'await this.loop;',
    tests: ['test/reliability/faults'],
  },
  {
    what: 'a concurrency limit admits one run too many',
    file: 'lib/core/redis/scripts/acquire.script.ts',
    from: 'free_places(slots, limit, now) > 0',
    to: 'free_places(slots, limit, now) >= 0',
    tests: ['test/core/concurrency'],
  },
  {
    what: 'a retry too many',
    file: 'lib/core/tasks/task-registry.ts',
    from: 'if (attempt >= retry.attempts) return undefined;',
    to: 'if (attempt > retry.attempts) return undefined;',
    tests: ['test/core/retry'],
  },
  {
    what: 'strike > matches equal values',
    file: 'lib/core/tasks/strike-rule.ts',
    from: "operator === '>' ? sign > 0",
    to: "operator === '>' ? sign >= 0",
    tests: ['test/core/strikes', 'test/cli/strike-value'],
  },
  {
    what: 'an unknown task fails at once',
    file: 'lib/core/worker/unknown-task.ts',
    from: 'if (since !== undefined && now - since >= unknownTaskTimeout) {',
    to: 'if (since !== undefined || now >= 0) {',
    tests: ['test/reliability/unknown-task'],
  },
  {
    what: 'a task registered again keeps its first options silently',
    file: 'lib/core/tasks/task-registry.ts',
    from: 'if (differs.length === 0) return existing;',
    to: 'return existing;',
    tests: ['test/reliability/options'],
  },
  {
    what: 'the due-mover retries a record it cannot read',
    file: 'lib/core/redis/scripts/stream-due.script.ts',
    from: "  redis.call('ZREM', queue, key)\n  if r[1] and not known_state(r[1]) then",
    to: "  if r[1] and not known_state(r[1]) then",
    tests: ['test/reliability/bad-data'],
  },
];

const ROOT = resolve(__dirname, '../..');

function main(): number {
  const { values } = parseArgs({ options: { full: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const only = values.only?.split(',').map(Number);
  const picked = MUTATIONS.map((m, i) => ({ ...m, n: i + 1 })).filter((m) => !only || only.includes(m.n));
  const survived: string[] = [];
  for (const m of picked) {
    const path = resolve(ROOT, m.file);
    const original = readFileSync(path, 'utf8');
    const count = original.split(m.from).length - 1;
    if (count !== 1) throw new Error(`mutation ${m.n} (${m.what}): expected its text once in ${m.file}, found it ${count} times`);
    writeFileSync(path, original.replace(m.from, m.to));
    try {
      const args = ['jest', '--silent', '--forceExit', ...(values.full ? [] : m.tests)];
      const run = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      const caught = run.status !== 0;
      if (!caught) survived.push(`${m.n} ${m.what}`);
      console.log(`${caught ? 'caught  ' : 'SURVIVED'} ${String(m.n).padStart(2)} ${m.what} (${m.file})`);
    } finally {
      writeFileSync(path, original);
    }
  }
  console.log(`\n${picked.length - survived.length} of ${picked.length} mutations caught${survived.length ? `; survived: ${survived.join('; ')}` : ''}`);
  return survived.length === 0 ? 0 : 1;
}

process.exitCode = main();
