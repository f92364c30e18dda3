import { randomFillSync } from 'node:crypto';

/** A component's unique id: a UUID v4 string, fixed for the life of the instance. Kompact: `ctx.id()`. */
export type ComponentId = string & { readonly __brand: 'ComponentId' };

// Ids are made on every create (and every replacement after a fault), so they are built here rather
// than with `randomUUID`, whose result is a rope of small strings that must be flattened: random bytes
// come from a pool refilled 256 ids at a time, and the 36 characters are written into one buffer and
// read out as a single flat one-byte string.
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const text = Buffer.alloc(36, 0x2d); // the dashes stay; every other byte is written per id
/** Where the two hex digits of each of the 16 bytes go in `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Makes a fresh {@link ComponentId}: a random (version 4, RFC 9562) UUID in lower case. */
export function newComponentId(): ComponentId {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += 16;
  pool[start + 6] = ((pool[start + 6] as number) & 0x0f) | 0x40; // version 4
  pool[start + 8] = ((pool[start + 8] as number) & 0x3f) | 0x80; // variant 10xx
  for (let i = 0; i < 16; i++) {
    const byte = pool[start + i] as number;
    const at = DIGIT_AT[i] as number;
    text[at] = HEX_DIGITS[byte >> 4] as number;
    text[at + 1] = HEX_DIGITS[byte & 15] as number;
  }
  return text.toString('latin1', 0, 36) as ComponentId;
}
