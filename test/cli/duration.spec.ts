import { DURATION_FORMS, parseDuration } from '../../lib/cli/duration';
import { formatAge, formatClock, formatDateTime, formatRelative } from '../../lib/cli/render/time';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['0', 0],
    ['0ms', 0],
    [' 30S ', 30_000],
    ['05:30', 330_000],
    ['1:05', 65_000],
    ['90:00', 5_400_000],
    ['1:02:03', 3_723_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses a bare number, saying which units to add', () => {
    expect(() => parseDuration('500')).toThrow('"500" has no unit: write 500ms or 500s');
  });

  it.each(['', 'soon', '5x', '-5s', '1m30', '5 m', '1:5', '1:60', '1:60:00', 'ms', '1e3ms'])('refuses %j, naming the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
    expect(() => parseDuration(text)).toThrow(text === '1:60' || text === '1:60:00' ? 'up to 59' : DURATION_FORMS);
  });
});

describe('time formatting', () => {
  it('writes local date-times', () => {
    expect(formatDateTime(new Date(2025, 0, 15, 10, 30, 5))).toBe('2025-01-15 10:30:05');
  });

  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [65_000, '1:05'],
    [3_725_000, '1:02:05'],
    [-5_000, '0:00'],
  ])('writes %d ms as the clock %s', (ms, text) => {
    expect(formatClock(ms)).toBe(text);
  });

  it.each([
    [850, '850ms'],
    [1_234, '1.2s'],
    [75_000, '1:15'],
  ])('writes an age of %d ms as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('writes times relative to now: a countdown, an age, or a date when far ahead', () => {
    const now = new Date(2025, 0, 15, 10, 0, 0);
    const at = (ms: number): Date => new Date(now.getTime() + ms);
    expect(formatRelative(at(90_000), now)).toBe('in 1:30');
    expect(formatRelative(at(100), now)).toBe('in 0:01');
    expect(formatRelative(at(-3_200), now)).toBe('3.2s ago');
    expect(formatRelative(at(60 * 60_000), now)).toBe('at 2025-01-15 11:00:00');
  });
});
