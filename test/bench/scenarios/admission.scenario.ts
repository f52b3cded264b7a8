/**
 * 9. What the admission rules cost, and whether a rate limit is met, docket only (the producer
 * and the worker in the bench's process, on the bench's Redis):
 * - Redis CPU per add (µs, from INFO's used_cpu), N adds one awaited at a time, with no rule, with
 *   a debounce (each call its own group: every add writes, as the first of a group does), and
 *   with a cooldown (each call its own group: every add sets a marker and writes);
 * - Redis CPU per run (µs), N preloaded no-op runs drained by one worker, with no rule and with a
 *   rate limit too high to hold anything back: what the rate limit's own script costs each claim;
 * - a rate-limited drain: 6 windows' worth of no-op tasks under `limit` per second, run by one
 *   worker (concurrency 10); the rate between the first start and the last, against the limit.
 *   It should run at the limit, not below it.
 */
import { Docket } from '../../../lib/core/producer/docket';
import { Worker } from '../../../lib/core/worker/worker';
import type { SystemAdapter } from '../adapter';
import type { Cell, Env, MetricDef, Scenario, Sizes } from '../scenario';

const silent = { log: (): void => undefined, warn: (): void => undefined, error: (): void => undefined, debug: (): void => undefined };
const RATE_LIMIT = 200;
let made = 0;

function docketOn(env: Env): Docket {
  return new Docket({ name: `bench-admission-${process.pid}-${++made}`, url: `redis://${env.target.host}:${env.target.port}/0`, logger: silent, executionTtl: 0 });
}

/** Redis CPU µs per add for `count` awaited adds of `task` with `options`. */
async function cpuPerAdd(env: Env, count: number, options: Parameters<Docket['register']>[1]): Promise<number> {
  const docket = docketOn(env);
  try {
    docket.register(async function ruled(n: number): Promise<number> {
      return n;
    }, options);
    for (let i = 0; i < 50; i++) await docket.add('ruled')(-i);
    const before = await env.admin.serverCpuSeconds();
    for (let i = 0; i < count; i++) await docket.add('ruled')(i);
    return ((await env.admin.serverCpuSeconds()) - before) * 1e6 / count;
  } finally {
    await docket.clear();
    await docket.close();
  }
}

/** Redis CPU µs per run for a drain of `count` preloaded no-op runs of a task with `options`. */
async function cpuPerRun(env: Env, count: number, options: Parameters<Docket['register']>[1]): Promise<number> {
  const docket = docketOn(env);
  try {
    docket.register(async function drained(n: number): Promise<number> {
      return n;
    }, options);
    await docket.addMany(Array.from({ length: count }, (_, i) => docket.call('drained')(i)));
    const before = await env.admin.serverCpuSeconds();
    await new Worker(docket, { concurrency: 10 }).runUntilFinished();
    return ((await env.admin.serverCpuSeconds()) - before) * 1e6 / count;
  } finally {
    await docket.clear();
    await docket.close();
  }
}

/** Runs per second of a drain under a rate limit of RATE_LIMIT per second, first start to last. */
async function limitedRate(env: Env): Promise<number> {
  const docket = docketOn(env);
  const starts: number[] = [];
  docket.register(
    async function limited(n: number): Promise<number> {
      starts.push(Date.now());
      return n;
    },
    { rateLimit: { limit: RATE_LIMIT, per: 1_000 } },
  );
  try {
    await docket.addMany(Array.from({ length: RATE_LIMIT * 6 }, (_, i) => docket.call('limited')(i)));
    await new Worker(docket, { concurrency: 10, schedulingResolution: 10 }).runUntilFinished();
    const span = (Math.max(...starts) - Math.min(...starts)) / 1000;
    // The first window's runs start at once; the rest come window by window.
    return (starts.length - RATE_LIMIT) / span;
  } finally {
    await docket.close();
  }
}

function admissionCell(sizes: Sizes): Cell {
  const n = sizes.enqueueSeq;
  const metric = (id: string, label: string, unit: string, better: 'higher' | 'lower', digits: number): MetricDef => ({ id, label, unit, better, digits });
  return {
    id: 'admission',
    title: 'Admission rules: their cost per add, and a rate-limited drain (docket)',
    metrics: [
      metric('admission-add-plain', `Redis CPU per add, no rule (µs, ${n} awaited adds)`, 'µs', 'lower', 1),
      metric('admission-add-debounce', 'Redis CPU per add, debounce (µs)', 'µs', 'lower', 1),
      metric('admission-add-cooldown', 'Redis CPU per add, cooldown (µs)', 'µs', 'lower', 1),
      metric('admission-run-plain', `Redis CPU per run, no rule (µs, ${n} preloaded runs drained)`, 'µs', 'lower', 1),
      metric('admission-run-rate', 'Redis CPU per run, a rate limit that holds nothing back (µs)', 'µs', 'lower', 1),
      metric('admission-rate', `Rate-limited drain, limit ${RATE_LIMIT}/s: runs per second after the first window`, 'runs/s', 'higher', 0),
      metric('admission-rate-ratio', 'Rate-limited drain ÷ the limit (1 = at the limit)', '×', 'higher', 3),
    ],
    async measure(env: Env, system: SystemAdapter) {
      const ids = ['admission-add-plain', 'admission-add-debounce', 'admission-add-cooldown', 'admission-run-plain', 'admission-run-rate', 'admission-rate', 'admission-rate-ratio'];
      if (system.id !== 'docket') return { values: Object.fromEntries(ids.map((id) => [id, Number.NaN])) };
      const plain = await cpuPerAdd(env, n, {});
      const debounce = await cpuPerAdd(env, n, { debounce: { window: 600_000, key: (i: number) => i } });
      const cooldown = await cpuPerAdd(env, n, { cooldown: { window: 600_000, key: (i: number) => i } });
      const runPlain = await cpuPerRun(env, n, {});
      const runRate = await cpuPerRun(env, n, { rateLimit: { limit: 1_000_000, per: 1_000 } });
      const rate = await limitedRate(env);
      return {
        values: {
          'admission-add-plain': plain,
          'admission-add-debounce': debounce,
          'admission-add-cooldown': cooldown,
          'admission-run-plain': runPlain,
          'admission-run-rate': runRate,
          'admission-rate': rate,
          'admission-rate-ratio': rate / RATE_LIMIT,
        },
      };
    },
  };
}

export const admissionScenario: Scenario = {
  id: 'admission',
  title: 'Admission rules',
  cells: (s) => [admissionCell(s)],
};
