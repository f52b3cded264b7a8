import { executionKey } from '../../lib/core/util/execution-key';

describe('generated execution keys', () => {
  it('are 20 URL-safe characters that never start with "-", so they fit a path and never look like a CLI option', () => {
    const keys = Array.from({ length: 1_000 }, () => executionKey());
    for (const key of keys) {
      expect(key).toMatch(/^[0-9A-Za-z_~][0-9A-Za-z_~-]{19}$/);
      expect(encodeURIComponent(key)).toBe(key);
    }
  });

  it('sort by the time they are made for, down to the millisecond', () => {
    const times = [0, 1, 2, 1_000, Date.UTC(2026, 11, 7), Date.UTC(2026, 11, 7) + 1, Date.UTC(9999, 0, 1)];
    const keys = times.map((t) => executionKey(t));
    expect([...keys].sort()).toEqual(keys);
  });

  it('do not repeat, even 100,000 made for one millisecond (a burst added with one due time)', () => {
    const keys = new Set(Array.from({ length: 100_000 }, () => executionKey(Date.UTC(2026, 11, 7))));
    expect(keys.size).toBe(100_000);
  });

  it('take a time before 1970 or past year 10889 as the nearest one a key can carry', () => {
    expect(executionKey(-5).slice(0, 8)).toBe(executionKey(0).slice(0, 8));
    expect(executionKey(8.64e15).slice(0, 8)).toBe(executionKey(2 ** 48 - 1).slice(0, 8));
  });
});
