/** Turns per-round values into medians, ratios, target verdicts, a markdown table and JSON. */
import { SYSTEM_IDS, type SystemId } from './adapter';
import type { MetricDef } from './scenario';
import { fmt, median } from './stats';
import { judge, medianInterval, pairedRatios, type Decision, type RatioInterval } from './verdict';

export type Rounds = Record<SystemId, number[]>;

export interface MetricResult {
  id: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  rounds: Rounds;
  median: Record<SystemId, number>;
  /** docket's median divided by the peer's. */
  ratio: { bullmq: number; 'bee-queue': number };
  /** docket ÷ the peer round by round (paired), their median and an interval for it. */
  paired: { bullmq: RatioInterval; 'bee-queue': RatioInterval };
  target?: { text: string; decision: Decision };
  budget?: { text: string; met: boolean | null };
}

export function emptyRounds(): Rounds {
  return { docket: [], bullmq: [], 'bee-queue': [] };
}

/** ours ÷ theirs, only where both are positive (a ratio of near-zero residues means nothing). */
function ratio(ours: number, theirs: number): number {
  return ours > 0 && theirs > 0 ? ours / theirs : NaN;
}

export function summarizeMetric(def: MetricDef, rounds: Rounds): MetricResult {
  const med = {} as Record<SystemId, number>;
  for (const id of SYSTEM_IDS) med[id] = median(rounds[id].filter((v) => Number.isFinite(v)));
  const complete = SYSTEM_IDS.every((id) => Number.isFinite(med[id]));
  return {
    id: def.id,
    label: def.label,
    unit: def.unit,
    better: def.better,
    rounds,
    median: med,
    ratio: { bullmq: ratio(med.docket, med.bullmq), 'bee-queue': ratio(med.docket, med['bee-queue']) },
    paired: {
      bullmq: medianInterval(pairedRatios(rounds.docket, rounds.bullmq)),
      'bee-queue': medianInterval(pairedRatios(rounds.docket, rounds['bee-queue'])),
    },
    target: def.target && { text: def.target.text, decision: complete ? judge(def.target, rounds).decision : 'undecided' },
    budget: def.budget && { text: def.budget.text, met: Number.isFinite(med.docket) ? def.budget.check(med.docket) : null },
  };
}

const ratioText = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/**
 * docket ÷ a peer as the table shows it: none when either median shows as zero at the metric's
 * precision (0.04 bytes against 0.01 is noise, not a ratio).
 */
function shownRatio(docket: number, peer: number, ratioValue: number, digits: number): string {
  const zero = (v: number): boolean => Math.abs(v) < 0.5 * 10 ** -digits;
  return zero(docket) || zero(peer) ? '–' : ratioText(ratioValue);
}

const DECISION_MARK: Record<Decision, string> = { met: '✅ met', missed: '❌ missed', undecided: '❔ undecided' };

function verdict(result: MetricResult): string {
  const parts: string[] = [];
  if (result.target) parts.push(`${result.target.text} ${DECISION_MARK[result.target.decision]}`);
  const budget = result.budget;
  if (budget) parts.push(`${budget.text} ${budget.met === null ? '(n/a)' : budget.met ? '✅' : '❌'}`);
  return parts.join('; ');
}

/** The paired ratio as the table shows it: median, and the interval behind it. */
function pairedText(interval: RatioInterval, docket: number, peer: number, digits: number): string {
  const shown = shownRatio(docket, peer, interval.median, digits);
  if (shown === '–' || interval.n < 2) return shown;
  return `${shown} (${interval.lo.toFixed(2)}–${interval.hi.toFixed(2)})`;
}

/** The headline table: medians, docket ÷ each peer, and the target verdicts. */
export function markdownTable(results: readonly MetricResult[], defs: ReadonlyMap<string, MetricDef>): string {
  const lines = [
    '| Metric | docket | BullMQ | bee-queue | docket ÷ BullMQ (interval) | docket ÷ bee-queue (interval) | Target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const digits = defs.get(r.id)?.digits ?? 0;
    lines.push(
      `| ${r.label} | ${fmt(r.median.docket, digits)} | ${fmt(r.median.bullmq, digits)} | ${fmt(r.median['bee-queue'], digits)} | ${pairedText(r.paired.bullmq, r.median.docket, r.median.bullmq, digits)} | ${pairedText(r.paired['bee-queue'], r.median.docket, r.median['bee-queue'], digits)} | ${verdict(r)} |`,
    );
  }
  return lines.join('\n');
}

/** Every round's value, to judge the spread behind each median. */
export function roundsTable(results: readonly MetricResult[], defs: ReadonlyMap<string, MetricDef>): string {
  const lines = ['| Metric | docket rounds | BullMQ rounds | bee-queue rounds |', '|---|---|---|---|'];
  for (const r of results) {
    const digits = defs.get(r.id)?.digits ?? 0;
    const cell = (values: number[]): string => values.map((v) => fmt(v, digits)).join(' / ') || '–';
    lines.push(`| ${r.id} | ${cell(r.rounds.docket)} | ${cell(r.rounds.bullmq)} | ${cell(r.rounds['bee-queue'])} |`);
  }
  return lines.join('\n');
}
