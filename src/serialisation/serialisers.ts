import { describeValue } from '../internal/describe-value.js';
import { ActorPath } from '../paths/actor-path.js';
import type { BufferReader } from './buffer-reader.js';
import type { BufferWriter } from './buffer-writer.js';
import { ReservedSerIds } from './ser-id.js';
import { SerialisationError } from './serialisation-error.js';
import type { Serialiser } from './serialiser.js';

const stringSerialiser: Serialiser<string> = Object.freeze({
  serId: ReservedSerIds.string,
  serialise(value: string, out: BufferWriter): void {
    out.writeString(value);
  },
  deserialise(input: BufferReader): string {
    return input.readString();
  },
});

const numberSerialiser: Serialiser<number> = Object.freeze({
  serId: ReservedSerIds.number,
  sizeHint: 8,
  serialise(value: number, out: BufferWriter): void {
    out.writeF64(value);
  },
  deserialise(input: BufferReader): number {
    return input.readF64();
  },
});

const bigintSerialiser: Serialiser<bigint> = Object.freeze({
  serId: ReservedSerIds.bigint,
  sizeHint: 16,
  serialise(value: bigint, out: BufferWriter): void {
    if (typeof value !== 'bigint') {
      throw new TypeError(`Expected \`value\` to be a bigint, got ${describeValue(value)}`);
    }
    const negative = value < 0n;
    const magnitude = negative ? -value : value;
    let hex = magnitude === 0n ? '' : magnitude.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    out.writeU8(negative ? 1 : 0);
    out.writeByteString(Buffer.from(hex, 'hex'));
  },
  deserialise(input: BufferReader): bigint {
    const sign = input.readU8();
    if (sign > 1) throw invalidBigint(`bigint sign byte ${sign} is not 0 or 1`);
    const bytes = input.readByteString();
    if (bytes.length === 0) {
      if (sign === 1) throw invalidBigint('bigint -0 is not a canonical encoding');
      return 0n;
    }
    if (bytes[0] === 0) throw invalidBigint('bigint magnitude has a leading zero byte');
    const magnitude = BigInt(
      `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`,
    );
    return sign === 1 ? -magnitude : magnitude;
  },
});

const bytesSerialiser: Serialiser<Uint8Array> = Object.freeze({
  serId: ReservedSerIds.bytes,
  serialise(value: Uint8Array, out: BufferWriter): void {
    out.writeByteString(value);
  },
  deserialise(input: BufferReader): Uint8Array {
    // Copy: the input is often a network buffer that is reused once the message is handled.
    return new Uint8Array(input.readByteString());
  },
});

const actorPathSerialiser: Serialiser<ActorPath> = Object.freeze({
  serId: ReservedSerIds.actorPath,
  sizeHint: 64,
  serialise(value: ActorPath, out: BufferWriter): void {
    if (!ActorPath.isActorPath(value)) {
      throw new TypeError(`Expected \`value\` to be an ActorPath, got ${describeValue(value)}`);
    }
    out.writeString(value.toString());
  },
  deserialise(input: BufferReader): ActorPath {
    return ActorPath.parse(input.readString());
  },
});

function invalidBigint(message: string): SerialisationError {
  return new SerialisationError('invalid-data', ReservedSerIds.bigint, message);
}

/**
 * The built-in serialisers, under the reserved serIds of {@link ReservedSerIds}.
 *
 * Kompact: the `Serialisable` impls in `core/src/serialisation/default_serialisers.rs`.
 *
 * @remarks Encodings (integers big-endian):
 * - `string` (serId 9): u32 byte length, UTF-8. Strings with lone surrogates are refused (no UTF-8 form).
 * - `number` (serId 10): IEEE 754 f64; NaN, ±Infinity and -0 round-trip.
 * - `bigint` (serId 7): sign byte (0 or 1), u32 length, magnitude big-endian without leading zeros; any
 *   size.
 * - `bytes` (serId 11): u32 length, the bytes; deserialises to a fresh `Uint8Array` (a copy).
 * - `actorPath` (serId 6): the path's string form as a `string`, parsed back with `ActorPath.parse`.
 *
 * @example
 * ```ts
 * const bytes = serialiseToBytes(Serialisers.string, 'hello');
 * deserialiseFromBytes(Serialisers.string, bytes); // 'hello'
 * ```
 */
export const Serialisers: {
  /** UTF-8 strings (serId 9). */
  readonly string: Serialiser<string>;
  /** 64-bit floats (serId 10). */
  readonly number: Serialiser<number>;
  /** Arbitrary-precision integers (serId 7). */
  readonly bigint: Serialiser<bigint>;
  /** Byte arrays (serId 11). */
  readonly bytes: Serialiser<Uint8Array>;
  /** Actor paths (serId 6). */
  readonly actorPath: Serialiser<ActorPath>;
} = Object.freeze({
  string: stringSerialiser,
  number: numberSerialiser,
  bigint: bigintSerialiser,
  bytes: bytesSerialiser,
  actorPath: actorPathSerialiser,
});

/**
 * The built-in serialiser of `value`'s type (see {@link BuiltInSerialisable}), or `undefined` when it
 * has none: what `path.tell` uses when it is given no serialiser.
 */
export function builtInSerialiserFor(value: unknown): Serialiser<unknown> | undefined {
  switch (typeof value) {
    case 'string':
      return Serialisers.string as Serialiser<unknown>;
    case 'number':
      return Serialisers.number as Serialiser<unknown>;
    case 'bigint':
      return Serialisers.bigint as Serialiser<unknown>;
    case 'object':
      if (value instanceof Uint8Array) return Serialisers.bytes as Serialiser<unknown>;
      if (ActorPath.isActorPath(value)) return Serialisers.actorPath as Serialiser<unknown>;
      return undefined;
    default:
      return undefined;
  }
}

/** Whether `value` has a serialiser's shape: a safe-integer `serId` and the two methods. */
export function isSerialiser(value: unknown): value is Serialiser<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Serialiser<unknown>).serialise === 'function' &&
    typeof (value as Serialiser<unknown>).deserialise === 'function' &&
    Number.isSafeInteger((value as Serialiser<unknown>).serId)
  );
}
