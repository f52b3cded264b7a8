/** The benchmark's verdicts: paired ratios, the interval for their median, met / missed / undecided. */
import { decide, judge, medianInterval, pairedRatios, type TargetRule } from './verdict';

describe('benchmark verdicts', () => {
  it('pairs rounds by index and leaves out a round either side has no positive figure for', () => {
    expect(pairedRatios([10, 20, 30, 0], [5, 0, 10, 4])).toEqual([2, 3]);
  });

  it('takes min–max for 7 rounds (98 % coverage) and the 2nd and 8th of 9 (96 %)', () => {
    const seven = medianInterval([7, 1, 6, 2, 5, 3, 4]);
    expect(seven).toMatchObject({ n: 7, median: 4, lo: 1, hi: 7 });
    expect(seven.coverage).toBeCloseTo(1 - 2 / 128, 6);
    const nine = medianInterval([9, 1, 8, 2, 7, 3, 6, 4, 5]);
    expect(nine).toMatchObject({ n: 9, median: 5, lo: 2, hi: 8 });
    expect(nine.coverage).toBeCloseTo(1 - (2 * 10) / 512, 6);
    // Three rounds cannot give 95 %: min–max, and its lower coverage, said.
    expect(medianInterval([1, 2, 3]).coverage).toBeCloseTo(0.75, 6);
  });

  it('is met only when the whole interval clears the bound, missed only when the whole interval misses it', () => {
    const atLeast = { peer: 'bullmq', op: '>=', factor: 1.5 } as const;
    expect(decide(atLeast, medianInterval([1.6, 1.7, 2.0]))).toBe('met');
    expect(decide(atLeast, medianInterval([1.0, 1.2, 1.4]))).toBe('missed');
    expect(decide(atLeast, medianInterval([1.04, 1.29, 1.83]))).toBe('undecided');
    const atMost = { peer: 'bullmq', op: '<=', factor: 0.8 } as const;
    expect(decide(atMost, medianInterval([0.5, 0.6, 0.7]))).toBe('met');
    expect(decide(atMost, medianInterval([0.7, 0.9]))).toBe('undecided');
    expect(decide(atMost, medianInterval([]))).toBe('undecided');
  });

  it('misses a target when any bound misses, meets it when every bound is met', () => {
    const rule: TargetRule = {
      text: '≥1.5× BullMQ, > bee-queue',
      bounds: [
        { peer: 'bullmq', op: '>=', factor: 1.5 },
        { peer: 'bee-queue', op: '>', factor: 1 },
      ],
    };
    expect(judge(rule, { docket: [30, 32, 31], bullmq: [10, 11, 12], 'bee-queue': [20, 21, 22] }).decision).toBe('met');
    expect(judge(rule, { docket: [30, 32, 31], bullmq: [10, 11, 12], 'bee-queue': [40, 41, 42] }).decision).toBe('missed');
    expect(judge(rule, { docket: [30, 32, 31], bullmq: [10, 25, 12], 'bee-queue': [20, 21, 22] }).decision).toBe('undecided');
  });
});
