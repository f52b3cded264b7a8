/**
 * How a target is judged: on the paired ratios of the rounds (each round's docket figure divided
 * by the peer's figure of the same round, so that a slow moment of the machine weighs on both),
 * through an interval for their median. A target is met only when the whole interval clears it,
 * missed only when the whole interval misses it, and undecided otherwise.
 */
import type { SystemId } from './adapter';
import { median } from './stats';

export type Peer = Exclude<SystemId, 'docket'>;

/** One condition of a target: docket ÷ peer `op` `factor`. */
export interface Bound {
  peer: Peer;
  op: '>=' | '>' | '<=';
  factor: number;
}

/** A target from the issues, as conditions on docket ÷ each peer. */
export interface TargetRule {
  text: string;
  bounds: readonly Bound[];
}

export type Decision = 'met' | 'missed' | 'undecided';

/** The median of the paired ratios, and an interval for it. */
export interface RatioInterval {
  n: number;
  median: number;
  lo: number;
  hi: number;
  /** How often an interval made this way holds the true median (1 − the two tails). */
  coverage: number;
}

/** docket ÷ peer, round by round, for the rounds where both figures are positive. */
export function pairedRatios(docket: readonly number[], peer: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(docket.length, peer.length); i++) {
    if (docket[i] > 0 && peer[i] > 0 && Number.isFinite(docket[i]) && Number.isFinite(peer[i])) out.push(docket[i] / peer[i]);
  }
  return out;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
function binomialCdf(n: number, k: number): number {
  let term = 0.5 ** n;
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * A distribution-free interval for the median (order statistics): the k-th smallest and k-th
 * largest values, with k the largest for which each tail holds at most 2.5 %. With fewer than 6
 * values no such k exists: the interval is then min–max, with the lower coverage it has.
 */
export function medianInterval(values: readonly number[]): RatioInterval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n, median: NaN, lo: NaN, hi: NaN, coverage: 0 };
  let k = 1;
  while (k + 1 <= n / 2 && binomialCdf(n, k) <= 0.025) k++;
  return { n, median: median(sorted), lo: sorted[k - 1], hi: sorted[n - k], coverage: 1 - 2 * binomialCdf(n, k - 1) };
}

const holds = (value: number, { op, factor }: Bound): boolean => (op === '>=' ? value >= factor : op === '>' ? value > factor : value <= factor);

/** Met when the whole interval satisfies the bound, missed when none of it does. */
export function decide(bound: Bound, interval: RatioInterval): Decision {
  if (interval.n === 0) return 'undecided';
  const lo = holds(interval.lo, bound);
  const hi = holds(interval.hi, bound);
  if (lo && hi) return 'met';
  if (!lo && !hi) return 'missed';
  return 'undecided';
}

/** A target's decision: met when every bound is, missed when any is, undecided otherwise. */
export function judge(rule: TargetRule, rounds: Record<SystemId, number[]>): { decision: Decision; bounds: { bound: Bound; interval: RatioInterval; decision: Decision }[] } {
  const bounds = rule.bounds.map((bound) => {
    const interval = medianInterval(pairedRatios(rounds.docket, rounds[bound.peer]));
    return { bound, interval, decision: decide(bound, interval) };
  });
  const decisions = bounds.map((b) => b.decision);
  const decision: Decision = decisions.includes('missed') ? 'missed' : decisions.every((d) => d === 'met') ? 'met' : 'undecided';
  return { decision, bounds };
}
