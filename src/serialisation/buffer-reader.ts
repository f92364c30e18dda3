import { describeValue } from '../internal/describe-value.js';
import { readF64At } from './f64.js';
import { SerialisationError } from './serialisation-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Eight scratch bytes seen as a uint64, for big-endian reads without a DataView per reader.
const scratch = new Uint8Array(8);
const scratchU64 = new BigUint64Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads what a {@link BufferWriter} wrote, with bounds checks: reading past the end throws a
 * {@link SerialisationError} (reason `buffer`), never returns garbage.
 *
 * Kompact: the `Buf` a `Deserialiser::deserialise` reads from.
 *
 * @remarks Integers are big-endian. A failed read consumes nothing. {@link BufferReader.readBytes} and
 * {@link BufferReader.readByteString} return views into the input, not copies; copy what you keep beyond
 * the input's lifetime.
 *
 * @example
 * ```ts
 * const input = new BufferReader(bytes);
 * const n = input.readU32();
 * const name = input.readString();
 * input.expectEnd();
 * ```
 */
export class BufferReader {
  private readonly bytes: Uint8Array;
  /** Where the input starts in `bytes` (a reader over part of a larger chunk). */
  private readonly start: number;
  /** Where the input ends in `bytes`. */
  private readonly end: number;
  /** Where the next byte is read from in `bytes`. */
  private offset: number;

  /**
   * Reads `bytes` from the start.
   *
   * @param start - @internal where the input starts in `bytes` (default 0).
   * @param end - @internal where the input ends in `bytes` (default its length); the network layer reads
   * a received payload in place, without a view of it.
   * @throws TypeError when `bytes` is not a Uint8Array or `start`/`end` are not integers; RangeError
   * when they do not satisfy 0 ≤ start ≤ end ≤ `bytes.length`.
   */
  constructor(bytes: Uint8Array, start = 0, end?: number) {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Expected \`bytes\` to be a Uint8Array, got ${describeValue(bytes)}`);
    }
    if (end === undefined) {
      end = bytes.length;
    } else if (!Number.isSafeInteger(end)) {
      throw new TypeError(`Expected \`end\` to be an integer, got ${describeValue(end)}`);
    } else if (end < 0 || end > bytes.length) {
      throw new RangeError(
        `Expected \`end\` to be an integer from 0 to ${bytes.length} (the length of \`bytes\`), got ${describeValue(end)}`,
      );
    }
    if (!Number.isSafeInteger(start)) {
      throw new TypeError(`Expected \`start\` to be an integer, got ${describeValue(start)}`);
    }
    if (start < 0 || start > end) {
      throw new RangeError(
        `Expected \`start\` to be an integer from 0 to ${end}, got ${describeValue(start)}`,
      );
    }
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.offset = start;
  }

  /** How many bytes have been read. */
  get position(): number {
    return this.offset - this.start;
  }

  /** How many bytes are left. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Reads an unsigned 8-bit integer. */
  readU8(): number {
    this.need(1, 'a u8');
    return this.bytes[this.offset++] as number;
  }

  /** Reads an unsigned 16-bit integer. */
  readU16(): number {
    this.need(2, 'a u16');
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return ((b[o] as number) << 8) | (b[o + 1] as number);
  }

  /** Reads an unsigned 32-bit integer. */
  readU32(): number {
    this.need(4, 'a u32');
    return this.takeU32();
  }

  /** Reads an unsigned 64-bit integer. */
  readU64(): bigint {
    this.need(8, 'a u64');
    this.takeScratch();
    return scratchU64[0] as bigint;
  }

  /** Reads a 64-bit float; an integral value in the int32 range comes back as a small integer. */
  readF64(): number {
    this.need(8, 'an f64');
    const at = this.offset;
    this.offset = at + 8;
    return readF64At(this.bytes, at);
  }

  /** Reads `length` raw bytes, as a view into the input. */
  readBytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) {
      throw new TypeError(`Expected \`length\` to be a non-negative integer, got ${describeValue(length)}`);
    }
    this.need(length, `${length} bytes`);
    const bytes = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  /** Reads a u32 length, then that many bytes (a view into the input). */
  readByteString(): Uint8Array {
    this.need(4, 'a u32 length');
    const start = this.offset;
    const length = this.takeU32();
    if (this.remaining < length) {
      this.offset = start;
      this.need(4 + length, `a length prefix and ${length} bytes`);
    }
    const bytes = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  /**
   * Reads a u32 byte length, then that many bytes of UTF-8.
   *
   * @throws {@link SerialisationError} (reason `invalid-data`) when the bytes are not valid UTF-8.
   */
  readString(): string {
    const start = this.offset;
    const bytes = this.readByteString();
    try {
      return decoder.decode(bytes);
    } catch (error) {
      this.offset = start;
      throw new SerialisationError(
        'invalid-data',
        undefined,
        `Invalid UTF-8 in the string at offset ${start - this.start}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Checks that every byte was read.
   *
   * @throws {@link SerialisationError} (reason `invalid-data`) when bytes remain.
   */
  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new SerialisationError(
        'invalid-data',
        undefined,
        `${this.remaining} unexpected trailing bytes at offset ${this.position}`,
      );
    }
  }

  private takeU32(): number {
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return (
      (b[o] as number) * 0x100_0000 +
      (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number))
    );
  }

  private takeScratch(): void {
    const b = this.bytes;
    const o = this.offset;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < 8; i++) scratch[i] = b[o + 7 - i] as number;
    } else {
      for (let i = 0; i < 8; i++) scratch[i] = b[o + i] as number;
    }
    this.offset = o + 8;
  }

  private need(count: number, what: string): void {
    if (this.end - this.offset < count) {
      throw new SerialisationError(
        'buffer',
        undefined,
        `Needed ${what} at offset ${this.position}, but only ${this.remaining} bytes remain`,
      );
    }
  }
}
