import { describeValue } from '../internal/describe-value.js';
import { writeF64At } from './f64.js';
import { SerialisationError } from './serialisation-error.js';

const EMPTY = Buffer.alloc(0);
const U64_LIMIT = 1n << 64n;

/** `String.prototype.isWellFormed` (Node 20+; not in the ES2022 lib typings). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** @internal `length` bytes at `offset` in `chunk`. */
export interface ChunkRange {
  chunk: Uint8Array;
  offset: number;
  length: number;
}

/**
 * A growable byte buffer that serialisers write into; integers are big-endian (network order).
 *
 * Kompact: the `BufMut` a `Serialisable::serialise` writes into.
 *
 * @remarks Writes check their argument: an integer out of range throws a TypeError instead of wrapping
 * silently. {@link BufferWriter.finish} hands over the bytes written since the last `finish` as a view
 * and never writes over them again: later values go after them in the same chunk, and a full chunk is
 * replaced by a new one (at least `minChunkSize` bytes). A finished view therefore keeps its chunk
 * alive, like a pooled `Buffer`; copy it if you keep a small view for long.
 *
 * @example
 * ```ts
 * const out = new BufferWriter();
 * out.writeU32(7);
 * out.writeString('héllo');
 * const bytes = out.finish();
 * ```
 */
export class BufferWriter {
  private readonly minChunkSize: number;
  private buffer: Buffer = EMPTY;
  /** Where the current (unfinished) value starts in `buffer`. */
  private start = 0;
  /** Where the next byte goes in `buffer`. */
  private used = 0;

  /**
   * Makes an empty writer.
   *
   * @param minChunkSize - the smallest chunk to allocate (a serialiser's `sizeHint`, or more for a
   * writer that many values go through).
   * @throws TypeError when `minChunkSize` is not a non-negative integer.
   */
  constructor(minChunkSize = 64) {
    if (!Number.isInteger(minChunkSize) || minChunkSize < 0) {
      throw new TypeError(
        `Expected \`minChunkSize\` to be a non-negative integer, got ${describeValue(minChunkSize)}`,
      );
    }
    this.minChunkSize = Math.max(minChunkSize, 16);
  }

  /** How many bytes have been written since the last {@link BufferWriter.finish}. */
  get length(): number {
    return this.used - this.start;
  }

  /** Writes an unsigned 8-bit integer. @throws TypeError when `value` is not an integer from 0 to 255. */
  writeU8(value: number): void {
    checkUnsigned(value, 0xff, 'an integer from 0 to 255');
    this.reserve(1);
    this.buffer[this.used++] = value;
  }

  /** Writes an unsigned 16-bit integer. @throws TypeError when `value` is not an integer from 0 to 65535. */
  writeU16(value: number): void {
    checkUnsigned(value, 0xffff, 'an integer from 0 to 65535');
    this.reserve(2);
    const b = this.buffer;
    b[this.used++] = value >>> 8;
    b[this.used++] = value & 0xff;
  }

  /** Writes an unsigned 32-bit integer. @throws TypeError when `value` is not an integer from 0 to 2^32 - 1. */
  writeU32(value: number): void {
    checkUnsigned(value, 0xffff_ffff, 'an integer from 0 to 4294967295');
    this.reserve(4);
    this.putU32(value);
  }

  /** Writes an unsigned 64-bit integer. @throws TypeError when `value` is not a bigint from 0 to 2^64 - 1. */
  writeU64(value: bigint): void {
    if (typeof value !== 'bigint' || value < 0n || value >= U64_LIMIT) {
      throw new TypeError(
        `Expected \`value\` to be a bigint from 0 to 2^64 - 1, got ${describeValue(value)}`,
      );
    }
    this.reserve(8);
    this.used = this.buffer.writeBigUInt64BE(value, this.used);
  }

  /** Writes a 64-bit float; every number, NaN, the infinities and -0 included, reads back identically. */
  writeF64(value: number): void {
    if (typeof value !== 'number') {
      throw new TypeError(`Expected \`value\` to be a number, got ${describeValue(value)}`);
    }
    this.reserve(8);
    writeF64At(this.buffer, this.used, value);
    this.used += 8;
  }

  /** Writes raw bytes (no length prefix; see {@link BufferWriter.writeByteString}). */
  writeBytes(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Expected \`bytes\` to be a Uint8Array, got ${describeValue(bytes)}`);
    }
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Writes a u32 length, then the bytes; {@link BufferReader.readByteString} reads it back. */
  writeByteString(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Expected \`bytes\` to be a Uint8Array, got ${describeValue(bytes)}`);
    }
    this.reserve(4 + bytes.length);
    this.putU32(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /**
   * Writes a string as a u32 byte length, then its UTF-8 bytes; {@link BufferReader.readString} reads it
   * back.
   *
   * @throws {@link SerialisationError} (reason `invalid-type`) when the string holds a lone surrogate,
   * which has no UTF-8 form (encoding it would silently change it).
   */
  writeString(text: string): void {
    if (typeof text !== 'string') {
      throw new TypeError(`Expected \`text\` to be a string, got ${describeValue(text)}`);
    }
    if (!isWellFormed(text)) {
      throw new SerialisationError(
        'invalid-type',
        undefined,
        'Cannot serialise a string with a lone surrogate: it has no UTF-8 form',
      );
    }
    const byteLength = Buffer.byteLength(text, 'utf8');
    if (byteLength > 0xffff_ffff) {
      throw new SerialisationError('invalid-type', undefined, `A string of ${byteLength} bytes is too long`);
    }
    this.reserve(4 + byteLength);
    this.putU32(byteLength);
    this.used += this.buffer.write(text, this.used, byteLength, 'utf8');
  }

  /**
   * Hands over the bytes written since the last `finish`, as a view that later writes never touch, and
   * starts the next value.
   */
  finish(): Uint8Array {
    // A plain Uint8Array, not a Buffer: Buffer#slice makes views, Uint8Array#slice the copies users expect.
    const { buffer } = this;
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + this.start, this.used - this.start);
    this.start = this.used;
    return bytes;
  }

  /**
   * @internal {@link BufferWriter.finish} without the view: points `target` at the bytes written since
   * the last `finish` (`length` bytes at `offset` in `chunk`, never written again) and starts the next
   * value.
   */
  finishInto(target: ChunkRange): void {
    target.chunk = this.buffer;
    target.offset = this.start;
    target.length = this.used - this.start;
    this.start = this.used;
  }

  private putU32(value: number): void {
    const b = this.buffer;
    b[this.used++] = value >>> 24;
    b[this.used++] = (value >>> 16) & 0xff;
    b[this.used++] = (value >>> 8) & 0xff;
    b[this.used++] = value & 0xff;
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    // Move the unfinished value to a fresh chunk; finished views keep the old one.
    const pending = this.used - this.start;
    const chunk = Buffer.allocUnsafeSlow(Math.max(pending + extra, pending * 2, this.minChunkSize));
    this.buffer.copy(chunk, 0, this.start, this.used);
    this.buffer = chunk;
    this.start = 0;
    this.used = pending;
  }
}

function checkUnsigned(value: number, max: number, expected: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new TypeError(`Expected \`value\` to be ${expected}, got ${describeValue(value)}`);
  }
}
