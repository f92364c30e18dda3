// Big-endian float64 reads and writes through one scratch double seen as two 32-bit words: two word
// moves and eight byte moves with shifts, instead of eight scratch-byte copies in a loop (a received
// number is read once per message, so this is on every number message's path). Not exported from the
// package.

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** The scratch word holding the sign, exponent and high mantissa bits. */
const HIGH = IS_LITTLE_ENDIAN ? 1 : 0;
const LOW = 1 - HIGH;

/**
 * The big-endian float64 at `at` in `bytes` (the caller checked that 8 bytes are there); an integral
 * value in the int32 range comes back as a small integer.
 */
export function readF64At(bytes: Uint8Array, at: number): number {
  scratchU32[HIGH] =
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number);
  scratchU32[LOW] =
    ((bytes[at + 4] as number) << 24) |
    ((bytes[at + 5] as number) << 16) |
    ((bytes[at + 6] as number) << 8) |
    (bytes[at + 7] as number);
  const value = scratchF64[0] as number;
  // An integral value comes back as V8's small integer, as a structured clone gives it, not as a
  // heap double: code that computes with it (fib(n) in a handler) would otherwise be optimised for
  // doubles and run 1.7× slower. -0 stays a double, so that it round-trips.
  const int = value | 0;
  return int === value && (int !== 0 || 1 / value > 0) ? int : value;
}

/** Writes `value` as a big-endian float64 at `at` in `bytes` (the caller made room for 8 bytes). */
export function writeF64At(bytes: Uint8Array, at: number, value: number): void {
  scratchF64[0] = value;
  const high = scratchU32[HIGH] as number;
  const low = scratchU32[LOW] as number;
  bytes[at] = high >>> 24;
  bytes[at + 1] = high >>> 16;
  bytes[at + 2] = high >>> 8;
  bytes[at + 3] = high;
  bytes[at + 4] = low >>> 24;
  bytes[at + 5] = low >>> 16;
  bytes[at + 6] = low >>> 8;
  bytes[at + 7] = low;
}
