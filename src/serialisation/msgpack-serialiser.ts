import { Packr } from 'msgpackr';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import type { BufferReader } from './buffer-reader.js';
import type { BufferWriter } from './buffer-writer.js';
import { checkPlainMsgpack } from './msgpack-check.js';
import { type SerId, userSerId } from './ser-id.js';
import { SerialisationError } from './serialisation-error.js';
import type { Serialiser } from './serialiser.js';

// Plain MessagePack maps (no record extension, so no shared structure state between processes), plus
// msgpackr's extensions for Set, Error, RegExp, typed arrays and bigints beyond 64 bits.
const packr = new Packr({
  useRecords: false,
  moreTypes: true,
  useBigIntExtension: true,
  variableMapSize: true,
});

/** Options of {@link msgpackSerialiser}. */
export interface MsgpackSerialiserOptions {
  /**
   * Whether bytes may hold `Error` and `RegExp` values (msgpackr's extensions). Default `false`: the
   * serialiser decodes plain data only, since building these from a peer's bytes runs their
   * constructors on whatever the peer chose (a RegExp pattern is code for the regular-expression
   * engine). Turn it on only for peers you trust.
   */
  readonly allowErrorsAndRegExps?: boolean;
}

/**
 * A serialiser for structured data (objects, arrays, strings, numbers, booleans, null, undefined,
 * bigint, Date, Set, Uint8Array …) in MessagePack via msgpackr, under a serId you pick.
 *
 * Kompact: the serde adapter (`serde_support`), with the id chosen by the user.
 *
 * @param id - a user serId, 21 or above (0 to 20 are reserved).
 * @param validate - checks a deserialised value; bytes whose value fails it are refused with a
 * {@link SerialisationError} (reason `invalid-data`). Without it, whatever the bytes hold is returned as
 * `T` unchecked, so pass one for data from other machines.
 * @param options - see {@link MsgpackSerialiserOptions}.
 * @throws TypeError when `id` is not a user serId or `validate` is not a function.
 *
 * @remarks Encoded as a u32 length and the MessagePack bytes. What does not round-trip: `-0` arrives as
 * `0`, a `Map` arrives as a plain object, class instances arrive as plain objects, functions and
 * symbols are dropped or refused, lone surrogates in strings are mangled, and cyclic values are refused
 * (`invalid-type`). Keys named `__proto__` arrive renamed (`__proto_`), so decoding cannot pollute
 * prototypes.
 *
 * Bytes are checked before they are decoded, and refused (`invalid-data`) unless they hold exactly one
 * value of plain data: every declared length must fit in the bytes that remain (a 5-byte header
 * cannot allocate gigabytes), nesting is at most 512 deep, and the only extensions are `undefined`,
 * bigint, Date, Set and typed arrays — no cyclic structures, no msgpackr records, and `Error` or
 * `RegExp` only with `options.allowErrorsAndRegExps`. So a value holding an Error or RegExp serialises,
 * but the receiving serialiser refuses it unless it opted in.
 *
 * @example
 * ```ts
 * type Move = { readonly kind: 'move'; readonly x: number; readonly y: number };
 * const isMove = (v: unknown): v is Move =>
 *   typeof v === 'object' && v !== null && (v as Move).kind === 'move';
 * const MoveSerialiser = msgpackSerialiser(serId(100), isMove);
 * ```
 */
export function msgpackSerialiser<T = unknown>(
  id: SerId | number,
  validate?: (value: unknown) => value is T,
  options: MsgpackSerialiserOptions = {},
): Serialiser<T> {
  const checkedId = userSerId(id);
  if (validate !== undefined && typeof validate !== 'function') {
    throw new TypeError(`Expected \`validate\` to be a function, got ${describeValue(validate)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (name !== 'allowErrorsAndRegExps') {
      throw new TypeError(
        `Unknown option \`${name}\` of msgpackSerialiser; the only one is \`allowErrorsAndRegExps\``,
      );
    }
  }
  const { allowErrorsAndRegExps = false } = options;
  if (typeof allowErrorsAndRegExps !== 'boolean') {
    throw new TypeError(
      `Expected \`options.allowErrorsAndRegExps\` to be a boolean, got ${describeValue(allowErrorsAndRegExps)}`,
    );
  }
  return plainMsgpackSerialiser(checkedId, validate, allowErrorsAndRegExps);
}

/**
 * {@link msgpackSerialiser} after its checks, under any serId (a reserved one included): the default
 * serialiser of snapshots uses it under `ReservedSerIds.msgpack`. Not part of the package's API.
 */
export function plainMsgpackSerialiser<T>(
  checkedId: SerId,
  validate: ((value: unknown) => value is T) | undefined,
  allowErrorsAndRegExps: boolean,
): Serialiser<T> {
  return Object.freeze({
    serId: checkedId,
    serialise(value: T, out: BufferWriter): void {
      let packed: Uint8Array;
      try {
        packed = packr.pack(value);
      } catch (error) {
        throw new SerialisationError(
          'invalid-type',
          checkedId,
          `Cannot serialise serId ${checkedId} with msgpack: ${describeThrown(error)}`,
          { cause: error },
        );
      }
      out.writeByteString(packed);
    },
    deserialise(input: BufferReader): T {
      const bytes = input.readByteString();
      const refused = checkPlainMsgpack(bytes, allowErrorsAndRegExps);
      if (refused !== undefined) {
        throw new SerialisationError(
          'invalid-data',
          checkedId,
          `Cannot deserialise serId ${checkedId} with msgpack: ${refused}`,
        );
      }
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (error) {
        throw new SerialisationError(
          'invalid-data',
          checkedId,
          `Cannot deserialise serId ${checkedId} with msgpack: ${describeThrown(error)}`,
          { cause: error },
        );
      }
      if (validate !== undefined && !validate(value)) {
        throw new SerialisationError(
          'invalid-data',
          checkedId,
          `The value deserialised for serId ${checkedId} failed validation (got ${kindOf(value)})`,
        );
      }
      return value as T;
    },
  });
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}
