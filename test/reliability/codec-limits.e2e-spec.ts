/** Values at the codec's edges: too deep, shared many times over, errors with odd fields or huge text. */
import { JsonCodec, SerializationError, Worker } from '../../lib';
import { MAX_DEPTH } from '../../lib/core/codec/json-tree';
import { MAX_MESSAGE_CHARS, MAX_SUMMARY_CHARS } from '../../lib/core/codec/error-codec';
import { dropDocket, testDocket } from '../support/docket-test';

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('the codec', () => {
  const codec = new JsonCodec();

  it.each([MAX_DEPTH + 1, 2_000, 10_000, 100_000])('refuses a value nested %i deep with a SerializationError naming the path', (depth) => {
    let thrown: unknown;
    try {
      codec.encode([nested(depth)], 'args', 'task "deep"');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect(String(thrown)).toContain(`nests deeper than ${MAX_DEPTH} levels`);
    expect(String(thrown)).toMatch(/args\[0\]\[0\]\[0\]/);
  });

  it('takes a value just within the limit, both ways', () => {
    const value = nested(MAX_DEPTH - 2);
    expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it('refuses to decode a payload nested past the limit, with a SerializationError', () => {
    const deep = `T${'['.repeat(MAX_DEPTH + 5)}{"$t":"u"}${']'.repeat(MAX_DEPTH + 5)}`;
    expect(() => codec.decode(deep)).toThrow(SerializationError);
    expect(() => codec.decode('Tnot json')).toThrow(SerializationError);
  });

  it('keeps a shared object shared instead of copying it for every reference', () => {
    // 2^22 paths to one leaf, through 22 levels of a node referenced twice.
    let node: unknown = { leaf: true };
    for (let i = 0; i < 22; i++) node = { left: node, right: node };
    const text = codec.encode(node);
    expect(text.length).toBeLessThan(5_000);
    const back = codec.decode(text) as { left: unknown; right: unknown };
    expect(back.left).toBe(back.right);
  });
});

describe('a failure', () => {
  it('of an unregistered class keeps its fields, a function field named as not carried', async () => {
    const docket = testDocket();
    class PartnerError extends Error {
      code = 'E42';
      retryable = true;
      at = new Date(0);
      retry = (): void => undefined;
    }
    docket.register(async function partner(): Promise<void> {
      throw new PartnerError('partner down');
    });
    docket.register(async function many(): Promise<void> {
      throw new AggregateError([new TypeError('one'), new RangeError('two')], 'both failed');
    });
    docket.register(async function loud(): Promise<void> {
      throw new Error('x'.repeat(1_000_000));
    });
    const worker = new Worker(docket);
    const run = worker.runForever();
    try {
      const failure = (await (await docket.add('partner')()).getResult({ timeout: 10_000 }).catch((e: unknown) => e)) as Record<string, unknown>;
      expect(failure).toMatchObject({ message: 'partner down', code: 'E42', retryable: true, at: new Date(0) });
      expect(failure.retry).toMatch(/^\[not carried: .*a function cannot be carried/);

      const aggregate = (await (await docket.add('many')()).getResult({ timeout: 10_000 }).catch((e: unknown) => e)) as AggregateError;
      expect(aggregate).toBeInstanceOf(AggregateError);
      expect(aggregate.errors.map((e: Error) => `${e.constructor.name}: ${e.message}`)).toEqual(['TypeError: one', 'RangeError: two']);

      const loud = await docket.add('loud')();
      const error = (await loud.getResult({ timeout: 10_000 }).catch((e: unknown) => e)) as Error;
      expect(error.message.length).toBeLessThan(MAX_MESSAGE_CHARS + 100);
      expect(error.message).toMatch(/… \(\d+ more characters\)$/);
      expect((await loud.sync()).error!.length).toBeLessThan(MAX_SUMMARY_CHARS + 100);
    } finally {
      await worker.stop();
      await run;
      await docket.close();
      await dropDocket(docket);
    }
  });

  it('of an argument too deep is refused at the add, with nothing written', async () => {
    const docket = testDocket();
    docket.register(async function deep(_value: unknown): Promise<void> {});
    try {
      await expect(docket.add('deep')(nested(10_000))).rejects.toThrow(SerializationError);
      expect((await docket.snapshot()).queued).toEqual([]);
    } finally {
      await docket.close();
      await dropDocket(docket);
    }
  });
});
