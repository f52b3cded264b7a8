import { renderCall, type CallParam } from '../../lib/nest/call-repr';
import { parameterNames } from '../../lib/core/tasks/parameter-names';

const shown = (name: string, lengthOnly = false): CallParam => ({ name, rest: false, logged: { lengthOnly } });
const hidden = (name: string): CallParam => ({ name, rest: false });

describe('parameterNames', () => {
  it('reads plain, defaulted, rest and destructured parameters', () => {
    class Sample {
      async processPayment(customerId: string, creditCard: string, amount = 0, traceId = 'unknown'): Promise<string> {
        return `${customerId}${creditCard}${amount}${traceId}`;
      }
      tricky(a = '(,)', b = { x: [1, 2], y: `${'}'},` }, { c }: { c: number } = { c: 1 }, /* d, */ ...rest: number[]): unknown {
        return [a, b, c, rest];
      }
      none(): void {}
    }
    const names = (fn: (...args: never[]) => unknown): string[] => parameterNames(fn).map((p) => (p.rest ? `...${p.name}` : p.name));
    expect(names(Sample.prototype.processPayment)).toEqual(['customerId', 'creditCard', 'amount', 'traceId']);
    expect(names(Sample.prototype.tricky)).toEqual(['a', 'b', 'arg2', '...rest']);
    expect(names(Sample.prototype.none)).toEqual([]);
    expect(names((x: number) => x)).toEqual(['x']);
    expect(names(async function named(first: string, second?: number) { return [first, second]; })).toEqual(['first', 'second']);
  });
});

describe('renderCall', () => {
  it('shows @Logged values, quoting strings, and hides every other value', () => {
    const params = [shown('customerId'), hidden('creditCard'), shown('amount'), shown('traceId')];
    expect(renderCall('processPayment', params, ['12345', '4111 1111 1111 1111', 150, 'abc-123'])).toBe(
      "processPayment(customerId='12345', creditCard=..., amount=150, traceId='abc-123')",
    );
  });

  it('renders lengthOnly as [len N] for arrays and strings, {len N} for objects, Maps and Sets', () => {
    const params = ['list', 'text', 'object', 'map', 'set', 'bytes', 'count'].map((n) => shown(n, true));
    const args = [['a', 'b', 'c'], 'secret', { a: 1, b: 2 }, new Map([[1, 2]]), new Set([1, 2, 3, 4]), new Uint8Array(8), 7];
    expect(renderCall('bulk', params, args)).toBe(
      'bulk(list=[len 3], text=[len 6], object={len 2}, map={len 1}, set={len 4}, bytes=[len 8], count=7)',
    );
  });

  it('keeps the short inspect form for structured values', () => {
    expect(renderCall('t', [shown('when'), shown('tags'), shown('nothing')], [new Date(0), ['x', 1], undefined])).toBe(
      "t(when=1970-01-01T00:00:00.000Z, tags=[ 'x', 1 ], nothing=undefined)",
    );
  });

  it('names extra arguments by a rest parameter, else argN', () => {
    expect(renderCall('r', [shown('first'), { name: 'more', rest: true, logged: { lengthOnly: false } }], [1, 2, 3])).toBe('r(first=1, more=2, more=3)');
    expect(renderCall('r', [hidden('only')], [1, 2])).toBe('r(only=..., arg1=...)');
  });
});
