import { JsonCodec, SerializationError } from '../../lib';

describe('JsonCodec', () => {
  const codec = new JsonCodec();
  const roundTrip = <T>(value: T): T => codec.decode(codec.encode(value)) as T;

  it('keeps plain JSON on the fast path, byte for byte', () => {
    const value = { a: [1, 'two', null, true], b: { c: 3.5 } };
    expect(codec.encode(value)).toBe('J' + JSON.stringify(value));
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips Date, BigInt, Map, Set, undefined, Buffer, Uint8Array and odd numbers', () => {
    const value = {
      at: new Date('2025-01-15T10:30:05.123Z'),
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([['k', 1], [2, new Date(0)]]),
      set: new Set(['x', 'y']),
      missing: undefined,
      buf: Buffer.from('hello'),
      bytes: new Uint8Array([1, 2, 255]),
      floats: new Float64Array([1.5, -2]),
      nums: [NaN, Infinity, -Infinity, -0],
      re: /a+b/gi,
    };
    const back = roundTrip(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe('2025-01-15T10:30:05.123Z');
    expect(back.big).toBe(12345678901234567890n);
    expect(back.map).toEqual(value.map);
    expect(back.set).toEqual(value.set);
    expect('missing' in back).toBe(true);
    expect(back.missing).toBeUndefined();
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(back.buf.toString()).toBe('hello');
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect([...back.bytes]).toEqual([1, 2, 255]);
    expect([...back.floats]).toEqual([1.5, -2]);
    expect(Object.is(back.nums[3], -0)).toBe(true);
    expect(back.nums.slice(0, 3)).toEqual([NaN, Infinity, -Infinity]);
    expect(back.re.source).toBe('a+b');
    expect(back.re.flags).toBe('gi');
  });

  it('keeps cycles and shared references', () => {
    const shared = { n: 1 };
    const node: { self?: unknown; a: unknown; b: unknown; m: Map<string, unknown> } = { a: shared, b: shared, m: new Map() };
    node.self = node;
    node.m.set('back', node);
    const back = roundTrip(node);
    expect(back.self).toBe(back);
    expect(back.a).toBe(back.b);
    expect(back.m.get('back')).toBe(back);
  });

  it('escapes objects that look like its own tags', () => {
    const value = { $t: 'D', v: 0, also: undefined };
    expect(roundTrip(value)).toEqual(value);
  });

  it('names the argument it cannot carry', () => {
    expect(() => codec.encode([1, { cb: () => 1 }], 'args', 'task "x"')).toThrow(SerializationError);
    expect(() => codec.encode([1, { cb: () => 1 }], 'args', 'task "x"')).toThrow(/args\[1\]\.cb of task "x": a function/);
    expect(() => codec.encode([Symbol('s')], 'args')).toThrow(/args\[0\]: a symbol/);
    expect(() => codec.encode([new WeakMap()], 'args')).toThrow(/args\[0\]: a WeakMap/);
  });

  it('never executes code while decoding', () => {
    const hostile = 'T' + JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } });
    const back = codec.decode(hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(() => codec.decode('T' + JSON.stringify({ $t: 'fn', v: 'process.exit(1)' }))).toThrow(SerializationError);
  });
});
