import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in blocks: one system call serves 256 keys.
const pool = Buffer.alloc(16 * 256);
let offset = pool.length;

/** A UUIDv7: time-ordered, so default keys sort by creation. */
export function uuid7(now = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
