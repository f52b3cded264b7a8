import { randomFillSync } from 'node:crypto';

/**
 * The 64 digits of a generated key, in ASCII order (so keys sort as their bits do), each one
 * unreserved in a URL (RFC 3986) and none a glob character of a Redis pattern. '0' comes first,
 * so a key never starts with '-' and never looks like a command-line option.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~';

// Random bytes are drawn in blocks: one system call serves 256 keys (9 random bytes each).
const RANDOM = 9;
const pool = Buffer.alloc(RANDOM * 256);
let offset = pool.length;

/**
 * A new execution key: 20 characters carrying 120 bits, a millisecond time (48 bits) and 72
 * random bits, so generated keys sort by that time. Two keys made for the same millisecond
 * collide with odds of about n² / 2⁷³ (10⁻¹² for 100,000 of them).
 *
 * Shorter than a UUID (36 characters) on purpose: the key is the member of the schedule's sorted
 * set and part of the record's name, so each scheduled execution holds it twice; 20 characters
 * fit the 24-byte allocations Redis makes for them where 36 take 40, about 34 bytes less per
 * scheduled execution (docs/performance.md, "Backlog").
 */
export function executionKey(time = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // The 120 bits as four 30-bit numbers, which stay exact in a double and in bitwise operations:
  // the time's upper 30 bits | its lower 18 and 12 random bits | 30 random | 30 random.
  const t = Math.min(Math.max(Math.floor(time), 0), TIME_MAX);
  const x = pool.readUIntBE(offset, 6);
  const y = pool.readUIntBE(offset + 6, 3);
  offset += RANDOM;
  const rest = Math.floor(x / 2 ** 30) * 2 ** 24 + y; // 42 random bits
  return (
    fiveDigits(Math.floor(t / 2 ** 18)) +
    fiveDigits((t % 2 ** 18) * 2 ** 12 + Math.floor(rest / 2 ** 30)) +
    fiveDigits(x % 2 ** 30) +
    fiveDigits(rest % 2 ** 30)
  );
}

/** The largest time a key carries (year 10889); later times, and times before 1970, are clamped. */
const TIME_MAX = 2 ** 48 - 1;

function fiveDigits(bits30: number): string {
  return DIGITS[(bits30 >>> 24) & 63] + DIGITS[(bits30 >>> 18) & 63] + DIGITS[(bits30 >>> 12) & 63] + DIGITS[(bits30 >>> 6) & 63] + DIGITS[bits30 & 63];
}
