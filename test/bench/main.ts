/**
 * The peer benchmark of issue 5: nestjs-docket vs BullMQ vs bee-queue on a private
 * redis-server (free loopback port, no persistence), each scenario cell run for the three
 * systems: a warm-up measurement of each (not counted), then round by round, interleaved (the
 * order rotates with every round and every cell: A B C, B C A, C A B, …), with a FLUSHALL before
 * every measurement. Targets are judged on the paired per-round ratios (see verdict.ts), and each
 * measurement records what else the machine was doing (machine.ts). Producers run in this process; every worker runs in one
 * child process (agent.ts), the same for all three systems.
 *
 *   npm run bench                       full run, 7 rounds
 *   npm run bench -- --quick            small sizes, 3 rounds
 *   npm run bench -- --skip-warmup      no warm-up measurements
 *   npm run bench -- --only drain,latency --systems docket,bullmq --rounds 5
 *   npm run bench -- --only drain --systems docket --profile     CPU profile of the worker
 *   node --cpu-prof --cpu-prof-dir=.bench/profiles -r ts-node/register/transpile-only \
 *     test/bench/main.ts --only enqueue --systems docket          CPU profile of the producer
 *   npx ts-node --transpile-only test/bench/profile-top.ts .bench/profiles/<file>.cpuprofile
 *   npx ts-node --transpile-only test/bench/timeline.ts --system docket   one add → result, hop by hop
 *
 * Prints a markdown table of medians with docket's ratio to each peer and writes every round's
 * figures to .bench/bench-<time>.json (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RedisServer } from '../support/redis-server';
import { Admin } from './admin';
import { SYSTEM_IDS, type SystemId, type Target } from './adapter';
import { ADAPTERS } from './adapters';
import { AgentClient } from './agent-client';
import { emptyRounds, markdownTable, roundsTable, summarizeMetric, type MetricResult, type Rounds } from './report';
import { FULL, QUICK, type Cell, type Env, type MetricDef, type Scenario } from './scenario';
import { admissionScenario } from './scenarios/admission.scenario';
import { backendsScenario } from './scenarios/backends.scenario';
import { commandsScenario } from './scenarios/commands.scenario';
import { drainScenario } from './scenarios/drain.scenario';
import { enqueueScenario } from './scenarios/enqueue.scenario';
import { latencyScenario } from './scenarios/latency.scenario';
import { memoryScenario } from './scenarios/memory.scenario';
import { progressScenario } from './scenarios/progress.scenario';
import { scaleScenario } from './scenarios/scale.scenario';
import { fmt, nowMs } from './stats';
import { loadBetween, OTHERS_BUSY_PCT, readCpu, STEAL_BUSY_PCT, wasBusy, type MachineLoad } from './machine';

const SCENARIOS: readonly Scenario[] = [enqueueScenario, drainScenario, latencyScenario, progressScenario, commandsScenario, memoryScenario, backendsScenario, admissionScenario, scaleScenario];
const ROOT = resolve(__dirname, '../..');

interface Failure {
  cell: string;
  system: SystemId;
  round: number;
  error: string;
}

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      only: { type: 'string' },
      systems: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'skip-warmup': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  // Seven rounds give an interval for the median of the paired ratios with 98 % coverage (min–max).
  const rounds = values.rounds ? Number(values.rounds) : values.quick ? 3 : 7;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknownScenario = only?.find((id) => !SCENARIOS.some((s) => s.id === id || s.cells(FULL).some((c) => c.id === id)));
  if (unknownScenario) throw new Error(`unknown scenario "${unknownScenario}"; known: ${SCENARIOS.map((s) => s.id).join(', ')} (or a cell id)`);
  const systems = (values.systems?.split(',').map((s) => s.trim()) ?? [...SYSTEM_IDS]) as SystemId[];
  const unknownSystem = systems.find((id) => !SYSTEM_IDS.includes(id));
  if (unknownSystem) throw new Error(`unknown system "${unknownSystem}"; known: ${SYSTEM_IDS.join(', ')}`);
  return { quick: values.quick, rounds, only, systems, profile: values.profile, out: values.out, warmup: !values['skip-warmup'] };
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

async function main(): Promise<void> {
  const opts = options();
  const sizes = opts.quick ? QUICK : FULL;
  const started = Date.now();
  const profileDir = join(ROOT, '.bench', 'profiles');
  const agentFlags = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=worker-${stamp()}.cpuprofile`] : [];
  if (opts.profile) mkdirSync(profileDir, { recursive: true });

  const [server, firstAgent] = await Promise.all([RedisServer.start(), Promise.resolve(AgentClient.start(agentFlags))]);
  let agent = firstAgent;
  const admin = new Admin('127.0.0.1', server.port);
  await admin.connect();
  const target: Target = { host: '127.0.0.1', port: server.port, queue: 'bench' };
  // Worker processes besides the agent (the fleet cells), started once and kept for the run.
  const extras: AgentClient[] = [];
  const moreAgents = (n: number): AgentClient[] => {
    while (extras.length < n) extras.push(AgentClient.start(agentFlags));
    return extras.slice(0, n);
  };
  // Processes a cell starts for one measurement; the bench exits them once it has read the CPU.
  const transient: AgentClient[] = [];
  const freshAgent = (): AgentClient => {
    const fresh = AgentClient.start(agentFlags);
    transient.push(fresh);
    return fresh;
  };
  const env: Env = { admin, agent, target, sizes, moreAgents, freshAgent };
  const redisVersion = await admin.serverVersion();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  log(`bench: ${opts.quick ? 'quick' : 'full'} run, ${opts.rounds} rounds, redis-server ${redisVersion} on port ${server.port}, systems ${opts.systems.join(', ')}`);

  const defs = new Map<string, MetricDef>();
  const rounds = new Map<string, Rounds>();
  const details: Record<string, Record<SystemId, unknown[]>> = {};
  const machine: Record<string, Record<SystemId, MachineLoad[]>> = {};
  let busyMeasurements = 0;
  let measurements = 0;
  let cellIndex = 0;
  const failures: Failure[] = [];
  const timeoutMs = opts.quick ? 60_000 : 240_000;

  try {
    for (const scenario of SCENARIOS) {
      const cells: Cell[] = scenario.cells(sizes).filter((c) => !opts.only || opts.only.includes(scenario.id) || opts.only.includes(c.id));
      for (const cell of cells) {
        for (const def of cell.metrics) {
          defs.set(def.id, def);
          rounds.set(def.id, emptyRounds());
        }
        details[cell.id] = { docket: [], bullmq: [], 'bee-queue': [] };
        machine[cell.id] = { docket: [], bullmq: [], 'bee-queue': [] };
        /** One measurement of `id`; kept unless it is the warm-up. */
        const measureOnce = async (id: SystemId, round: number, warmup: boolean): Promise<void> => {
          const system = ADAPTERS[id];
          const t0 = nowMs();
          const label = warmup ? 'warm-up  ' : `round ${round + 1}/${Math.min(opts.rounds, cell.rounds ?? opts.rounds)}`;
          try {
            await admin.flushAll();
            // The fleet's extra worker processes are the measurement's too, not "other processes".
            const ours = (): (number | undefined)[] => [process.pid, agent.pid, server.pid, ...extras.map((a) => a.pid), ...transient.map((a) => a.pid)];
            const before = readCpu(ours());
            const m = await withTimeout(cell.measure(env, system), cell.timeoutMs ?? timeoutMs, `${cell.id} for ${id}`);
            const load = loadBetween(before, readCpu(ours()));
            await Promise.all(transient.splice(0).map((a) => a.exit()));
            // Every connection of the measurement must be gone before the next one starts.
            const clients = await admin.waitForClients(0, 2_000);
            if (clients > 1) log(`  [${cell.id}] ${system.label} left ${clients - 1} connection(s) open`);
            const busy = wasBusy(load) ? `  ⚠ busy machine: others ${load.othersPct.toFixed(0)} %, steal ${load.stealPct.toFixed(0)} %` : '';
            const shown = cell.metrics.map((d) => `${d.id}=${fmt(m.values[d.id], d.digits)}`).join(' ');
            log(`  [${cell.id}] ${label} ${system.label.padEnd(9)} ${shown}  (${((nowMs() - t0) / 1000).toFixed(1)} s)${busy}`);
            if (warmup) return;
            for (const [metric, value] of Object.entries(m.values)) rounds.get(metric)?.[id].push(value);
            details[cell.id][id].push(m.details ?? null);
            machine[cell.id][id].push(load);
            measurements++;
            if (busy) busyMeasurements++;
          } catch (err) {
            const error = err instanceof Error ? err.stack ?? err.message : String(err);
            if (!warmup) failures.push({ cell: cell.id, system: id, round: round + 1, error });
            log(`  [${cell.id}] ${label} ${system.label}: FAILED ${error}`);
            // A hung or broken worker: start from a fresh agent.
            await agent.kill();
            agent = AgentClient.start(agentFlags);
            env.agent = agent;
            await Promise.all(extras.splice(0).map((a) => a.kill()));
            await Promise.all(transient.splice(0).map((a) => a.kill()));
          }
        };
        // A warm-up for every system first: nobody is measured cold (JIT, connections, Redis's allocator).
        if (opts.warmup && cell.rounds === undefined) for (const id of opts.systems) await measureOnce(id, -1, true);
        for (let round = 0; round < Math.min(opts.rounds, cell.rounds ?? opts.rounds); round++) {
          // The order rotates with the round and with the cell, so no system is always first.
          const shift = round + cellIndex;
          const order = opts.systems.map((_, i) => opts.systems[(i + shift) % opts.systems.length]);
          for (const id of order) await measureOnce(id, round, false);
        }
        cellIndex++;
      }
    }
  } finally {
    await agent.exit();
    await Promise.all(extras.map((a) => a.exit()));
    await admin.close();
    await server.stop();
  }

  const results: MetricResult[] = [...defs.values()].map((def) => summarizeMetric(def, rounds.get(def.id) ?? emptyRounds()));
  const elapsed = (Date.now() - started) / 1000;
  const meta = {
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    rounds: opts.rounds,
    systems: opts.systems,
    elapsedSeconds: elapsed,
    node: process.version,
    redis: redisVersion,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    versions: { bullmq: version('bullmq'), 'bee-queue': version('bee-queue'), ioredis: version('ioredis') },
    git: { head: git(['rev-parse', '--short', 'HEAD']), libDirty: git(['status', '--porcelain', 'lib']) !== '' },
    sizes,
    machine: {
      busyMeasurements,
      measurements,
      rule: `a measurement is taken on a busy machine when other processes took more than ${OTHERS_BUSY_PCT} % of all CPU time, or the hypervisor more than ${STEAL_BUSY_PCT} %`,
    },
    method: {
      interleaving: 'per scenario cell: one warm-up measurement of every system, then per round every system once; the order rotates with the round and the cell; FLUSHALL before every measurement',
      verdicts: 'a target is judged on the paired ratios (each round: docket ÷ the peer of the same round), through an order-statistic interval for their median (min–max at 7 rounds, 98 % coverage): met when the whole interval clears it, missed when none of it does, else undecided',
      processes: 'producer in the bench process; worker in one child process (agent.ts) for every system',
      medians: 'median over rounds of each round figure (for latencies: of each round percentile)',
    },
  };

  const table = markdownTable(results, defs);
  const outDir = join(ROOT, '.bench');
  mkdirSync(outDir, { recursive: true });
  const outPath = resolve(opts.out ?? join(outDir, `bench-${stamp()}${opts.quick ? '-quick' : ''}.json`));
  writeFileSync(outPath, `${JSON.stringify({ meta, results, details, machine, failures }, null, 2)}\n`);

  const out: string[] = [
    `## nestjs-docket vs BullMQ ${meta.versions.bullmq} vs bee-queue ${meta.versions['bee-queue']} — ${meta.mode} run, median of ${opts.rounds} interleaved rounds`,
    '',
    `redis-server ${redisVersion} (private, no persistence), node ${process.version}, ${meta.cpus}; ${elapsed.toFixed(0)} s; lib at ${meta.git.head}${meta.git.libDirty ? ' + uncommitted changes' : ''}`,
    '',
    'Ratios: the median of the paired per-round ratios, with the interval for it; a target is ✅ met only when the whole interval clears it, ❌ missed only when none of it does, ❔ undecided otherwise.',
    '',
    ...(busyMeasurements > 0
      ? [`⚠ **Busy machine**: in ${busyMeasurements} of ${measurements} measurements other processes took more than ${OTHERS_BUSY_PCT} % of the CPU (or the hypervisor more than ${STEAL_BUSY_PCT} %); see "machine" in the JSON.`, '']
      : []),
    table,
    '',
    '<details><summary>Every round</summary>',
    '',
    roundsTable(results, defs),
    '',
    '</details>',
    '',
  ];
  if (failures.length > 0) out.push(`**${failures.length} measurement(s) failed** — see "failures" in the JSON.`, '');
  out.push(`JSON: ${outPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
