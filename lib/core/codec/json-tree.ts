/**
 * The tagged JSON tree of {@link JsonCodec} (see codec.ts) and how it is read back: only ever
 * data is built, never code run.
 */
import { SerializationError } from '../errors/docket.errors';

/**
 * How deep a value may nest, encoding and decoding alike: deeper ones are refused with a
 * SerializationError naming the path, before the stack could overflow.
 */
export const MAX_DEPTH = 1_000;

export type Tagged = { $t: string; v?: unknown };
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** The typed arrays the codec carries, by constructor name. */
export const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** Rebuilds the value of a tagged tree; `refs` collects the objects made, for shared and cyclic references. */
export function decodeTree(node: JsonValue, refs: unknown[], depth: number): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (depth > MAX_DEPTH) throw new SerializationError('payload', `it nests deeper than ${MAX_DEPTH} levels`);
  const d = depth + 1;
  if (Array.isArray(node)) {
    const out: unknown[] = new Array<unknown>(node.length);
    refs.push(out);
    for (let i = 0; i < node.length; i++) out[i] = decodeTree(node[i], refs, d);
    return out;
  }
  if (!('$t' in node)) return fillObject({}, node, refs, d);
  const tag = node as Tagged;
  const v = tag.v as JsonValue;
  switch (tag.$t) {
    case 'u':
      return undefined;
    case 'n':
      return v === '-0' ? -0 : Number(v);
    case 'b':
      return BigInt(v as string);
    case 'r':
      return refs[v as number];
    case 'D':
      return new Date(v === null ? NaN : (v as number));
    case 'R':
      return new RegExp((v as string[])[0], (v as string[])[1]);
    case 'B':
      return Buffer.from(v as string, 'base64');
    case 'U8':
      return new Uint8Array(Buffer.from(v as string, 'base64'));
    case 'TA': {
      const [ctor, data] = v as [string, string];
      const Ctor = TYPED_ARRAYS[ctor];
      if (!Ctor) throw new SerializationError('payload', `unknown typed array ${ctor}`);
      const bytes = Buffer.from(data, 'base64');
      return new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    case 'M': {
      const map = new Map<unknown, unknown>();
      refs.push(map);
      for (const pair of v as JsonValue[][]) {
        map.set(decodeTree(pair[0], refs, d), decodeTree(pair[1], refs, d));
      }
      return map;
    }
    case 'S': {
      const set = new Set<unknown>();
      refs.push(set);
      for (const item of v as JsonValue[]) set.add(decodeTree(item, refs, d));
      return set;
    }
    case 'o':
      return fillObject({}, v as { [k: string]: JsonValue }, refs, d);
    case 'E': {
      const [name, message, stack, fields] = v as [string, string, string | null, { [k: string]: JsonValue }];
      const error = new Error(message);
      error.name = name;
      error.stack = stack ?? undefined;
      return fillObject(error, fields, refs, d);
    }
    default:
      throw new SerializationError('payload', `unknown tag ${JSON.stringify(tag.$t)}`);
  }
}

function fillObject<T extends object>(target: T, fields: { [k: string]: JsonValue }, refs: unknown[], depth: number): T {
  refs.push(target);
  for (const k of Object.keys(fields)) {
    Object.defineProperty(target, k, {
      value: decodeTree(fields[k], refs, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}
