import { SerializationError } from '../errors/docket.errors';

/**
 * Turns task arguments, results and error fields into strings for Redis and back.
 * A codec must never execute code while decoding.
 *
 * @example
 * const codec: Codec = new JsonCodec();
 * const text = codec.encode([new Date(), 1n]);
 * codec.decode(text); // [Date, 1n]
 */
export interface Codec {
  /** Encodes `value`; `root` names it in errors (e.g. `args`). Throws SerializationError. */
  encode(value: unknown, root?: string, context?: string): string;
  /** Decodes what {@link Codec.encode} made. */
  decode(text: string): unknown;
}

type Tagged = { $t: string; v?: unknown };
type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const PLAIN = 'J';
const TAGGED = 'T';
const MAX_FAST_DEPTH = 64;
const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
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

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when JSON.stringify/parse round-trips `value` exactly (the fast path). */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_FAST_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const k in value) {
        if (k === '$t' || !isPlainJson((value as Record<string, unknown>)[k], depth + 1)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

const base64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * The default codec: JSON, with a tagged form for what JSON cannot hold (Date, BigInt, Map,
 * Set, undefined, NaN/±Infinity/-0, Uint8Array, Buffer and other typed arrays, RegExp, Error)
 * and for shared or cyclic references. Plain JSON data takes a fast path that is exactly
 * `JSON.stringify`. Decoding only ever builds data; it never runs code.
 *
 * @example
 * const codec = new JsonCodec();
 * const a: unknown[] = []; a.push(a);
 * (codec.decode(codec.encode(a)) as unknown[])[0]; // the same array: cycles survive
 */
export class JsonCodec implements Codec {
  encode(value: unknown, root = 'value', context = ''): string {
    if (isPlainJson(value, 0)) return PLAIN + JSON.stringify(value);
    const seen = new Map<object, number>();
    const tree = this.toTree(value, root, seen, context);
    return TAGGED + JSON.stringify(tree);
  }

  decode(text: string): unknown {
    const body = text.slice(1);
    if (text[0] === PLAIN) return JSON.parse(body);
    if (text[0] !== TAGGED) throw new SerializationError('payload', 'it was not written by JsonCodec');
    const refs: unknown[] = [];
    return this.fromTree(JSON.parse(body) as JsonValue, refs);
  }

  private toTree(value: unknown, path: string, seen: Map<object, number>, ctx: string): JsonValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        return { $t: 'n', v: Object.is(value, -0) ? '-0' : String(value) };
      case 'bigint':
        return { $t: 'b', v: value.toString() };
      case 'undefined':
        return { $t: 'u' };
      case 'function':
        throw new SerializationError(path, 'a function cannot be carried to a worker', ctx);
      case 'symbol':
        throw new SerializationError(path, 'a symbol cannot be carried to a worker', ctx);
    }
    if (value === null) return null;
    const obj = value as object;
    const ref = seen.get(obj);
    if (ref !== undefined) return { $t: 'r', v: ref };
    if (obj instanceof Date) return { $t: 'D', v: Number.isNaN(obj.getTime()) ? null : obj.getTime() };
    if (obj instanceof RegExp) return { $t: 'R', v: [obj.source, obj.flags] };
    if (Buffer.isBuffer(obj)) return { $t: 'B', v: base64(obj) };
    if (obj instanceof Uint8Array) return { $t: 'U8', v: base64(obj) };
    if (ArrayBuffer.isView(obj)) {
      const ctor = obj.constructor.name;
      if (!(ctor in TYPED_ARRAYS)) {
        throw new SerializationError(path, `a ${ctor} cannot be carried to a worker`, ctx);
      }
      const bytes = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength);
      return { $t: 'TA', v: [ctor, base64(bytes)] };
    }
    if (obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof Promise) {
      throw new SerializationError(path, `a ${obj.constructor.name} cannot be carried to a worker`, ctx);
    }
    seen.set(obj, seen.size);
    if (Array.isArray(obj)) {
      const out: JsonValue[] = new Array<JsonValue>(obj.length);
      for (let i = 0; i < obj.length; i++) out[i] = this.toTree(obj[i], `${path}[${i}]`, seen, ctx);
      return out;
    }
    if (obj instanceof Map) {
      const pairs: JsonValue[] = [];
      let i = 0;
      for (const [k, v] of obj) {
        pairs.push([
          this.toTree(k, `${path}.<key ${i}>`, seen, ctx),
          this.toTree(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : i})`, seen, ctx),
        ]);
        i++;
      }
      return { $t: 'M', v: pairs };
    }
    if (obj instanceof Set) {
      const items: JsonValue[] = [];
      let i = 0;
      for (const v of obj) items.push(this.toTree(v, `${path}.<item ${i++}>`, seen, ctx));
      return { $t: 'S', v: items };
    }
    const fields: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(obj)) {
      fields[k] = this.toTree((obj as Record<string, unknown>)[k], `${path}.${k}`, seen, ctx);
    }
    if (obj instanceof Error) {
      return { $t: 'E', v: [obj.name, obj.message, obj.stack ?? null, fields] };
    }
    return '$t' in fields ? { $t: 'o', v: fields } : fields;
  }

  private fromTree(node: JsonValue, refs: unknown[]): unknown {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      const out: unknown[] = new Array<unknown>(node.length);
      refs.push(out);
      for (let i = 0; i < node.length; i++) out[i] = this.fromTree(node[i], refs);
      return out;
    }
    if (!('$t' in node)) return this.fillObject({}, node, refs);
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
          map.set(this.fromTree(pair[0], refs), this.fromTree(pair[1], refs));
        }
        return map;
      }
      case 'S': {
        const set = new Set<unknown>();
        refs.push(set);
        for (const item of v as JsonValue[]) set.add(this.fromTree(item, refs));
        return set;
      }
      case 'o':
        return this.fillObject({}, v as { [k: string]: JsonValue }, refs);
      case 'E': {
        const [name, message, stack, fields] = v as [string, string, string | null, { [k: string]: JsonValue }];
        const error = new Error(message);
        error.name = name;
        error.stack = stack ?? undefined;
        return this.fillObject(error, fields, refs);
      }
      default:
        throw new SerializationError('payload', `unknown tag ${JSON.stringify(tag.$t)}`);
    }
  }

  private fillObject<T extends object>(target: T, fields: { [k: string]: JsonValue }, refs: unknown[]): T {
    refs.push(target);
    for (const k of Object.keys(fields)) {
      Object.defineProperty(target, k, {
        value: this.fromTree(fields[k], refs),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return target;
  }
}
