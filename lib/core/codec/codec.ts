import { SerializationError } from '../errors/docket.errors';
import { decodeTree, MAX_DEPTH, TYPED_ARRAYS, type JsonValue } from './json-tree';

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

const PLAIN = 'J';
const TAGGED = 'T';
const MAX_FAST_DEPTH = 64;


function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * True when JSON.stringify/parse round-trips `value` exactly (the fast path): plain data, not too
 * deep, and no object reached twice (JSON would copy a shared one for every reference to it).
 */
function isPlainJson(value: unknown, depth: number, seen: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_FAST_DEPTH || seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlainJson(value[i], depth + 1, seen)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const k in value) {
        if (k === '$t' || !isPlainJson((value as Record<string, unknown>)[k], depth + 1, seen)) {
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
    if (isPlainJson(value, 0, new Set())) return PLAIN + JSON.stringify(value);
    const seen = new Map<object, number>();
    const tree = this.toTree(value, root, seen, context, 0);
    return TAGGED + JSON.stringify(tree);
  }

  /** Decodes; throws SerializationError for a payload it did not write, or nested past {@link MAX_DEPTH}. */
  decode(text: string): unknown {
    if (typeof text !== 'string') throw new SerializationError('payload', 'it is not text');
    const body = text.slice(1);
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(body) as JsonValue;
    } catch (err) {
      throw new SerializationError('payload', `it is not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (text[0] === PLAIN) return parsed;
    if (text[0] !== TAGGED) throw new SerializationError('payload', 'it was not written by JsonCodec');
    const refs: unknown[] = [];
    return decodeTree(parsed, refs, 0);
  }

  private toTree(value: unknown, path: string, seen: Map<object, number>, ctx: string, depth: number): JsonValue {
    if (depth > MAX_DEPTH) throw new SerializationError(path, `it nests deeper than ${MAX_DEPTH} levels`, ctx);
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
      for (let i = 0; i < obj.length; i++) out[i] = this.toTree(obj[i], `${path}[${i}]`, seen, ctx, depth + 1);
      return out;
    }
    if (obj instanceof Map) {
      const pairs: JsonValue[] = [];
      let i = 0;
      for (const [k, v] of obj) {
        pairs.push([
          this.toTree(k, `${path}.<key ${i}>`, seen, ctx, depth + 1),
          this.toTree(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : i})`, seen, ctx, depth + 1),
        ]);
        i++;
      }
      return { $t: 'M', v: pairs };
    }
    if (obj instanceof Set) {
      const items: JsonValue[] = [];
      let i = 0;
      for (const v of obj) items.push(this.toTree(v, `${path}.<item ${i++}>`, seen, ctx, depth + 1));
      return { $t: 'S', v: items };
    }
    const fields: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(obj)) {
      fields[k] = this.toTree((obj as Record<string, unknown>)[k], `${path}.${k}`, seen, ctx, depth + 1);
    }
    if (obj instanceof Error) {
      return { $t: 'E', v: [obj.name, obj.message, obj.stack ?? null, fields] };
    }
    return '$t' in fields ? { $t: 'o', v: fields } : fields;
  }
}
