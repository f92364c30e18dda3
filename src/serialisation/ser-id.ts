import { describeValue } from '../internal/describe-value.js';

/**
 * A serialiser id: the number sent with serialised bytes that says which {@link Serialiser} reads them.
 * An unsigned 32-bit integer; make one with {@link serId}.
 *
 * Kompact: `SerId` (a `u64` there by default; 32 bits here, so ids fit a frame field and a JS number).
 */
export type SerId = number & { readonly __brand: 'SerId' };

/**
 * Makes a {@link SerId}: an unsigned integer below 2^32.
 *
 * @throws TypeError when `n` is not an integer from 0 to 4294967295.
 *
 * @example
 * ```ts
 * const PING_ID = serId(42);
 * ```
 */
export function serId(n: number): SerId {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new TypeError(`Expected \`serId\` to be an integer from 0 to 4294967295, got ${describeValue(n)}`);
  }
  return n as SerId;
}

/**
 * The highest reserved serId: ids 0 to 20 belong to kompact-ts (as in Kompact); user serialisers take
 * ids from 21 up.
 */
export const MAX_RESERVED_SER_ID = 20;

/**
 * The reserved serIds of kompact-ts.
 *
 * Kompact: `serialisation_ids` in `core/src/serialisation/default_serialisers.rs` (ids 0–5 mean the same
 * there; the encodings are kompact-ts's own, not Kompact's wire format).
 *
 * | id | name | use |
 * |---:|---|---|
 * | 0 | `unknown` | never valid on the wire |
 * | 1 | `dispatchEnvelope` | network layer: a message envelope |
 * | 2 | `uniquePath` | network layer: a unique path in an envelope |
 * | 3 | `namedPath` | network layer: a named path in an envelope |
 * | 4 | `systemPathHeader` | network layer |
 * | 5 | `systemPath` | network layer: a system path (handshake) |
 * | 6 | `actorPath` | `Serialisers.actorPath` |
 * | 7 | `bigint` | `Serialisers.bigint` (Kompact: `u64`) |
 * | 8 | `unit` | reserved (Kompact: `()`) |
 * | 9 | `string` | `Serialisers.string` |
 * | 10 | `number` | `Serialisers.number` |
 * | 11 | `bytes` | `Serialisers.bytes` |
 * | 12 | `msgpack` | the default serialiser of snapshots (`snapshots.save` without a serialiser) |
 * | 13–18 | | reserved for future built-ins |
 * | 19 | | reserved (Kompact: serde) |
 * | 20 | | reserved (Kompact: protobuf) |
 * | 21– | | user serialisers, including `msgpackSerialiser` |
 */
export const ReservedSerIds = {
  unknown: 0 as SerId,
  dispatchEnvelope: 1 as SerId,
  uniquePath: 2 as SerId,
  namedPath: 3 as SerId,
  systemPathHeader: 4 as SerId,
  systemPath: 5 as SerId,
  actorPath: 6 as SerId,
  bigint: 7 as SerId,
  unit: 8 as SerId,
  string: 9 as SerId,
  number: 10 as SerId,
  bytes: 11 as SerId,
  msgpack: 12 as SerId,
} as const;

/** Whether `id` is reserved for kompact-ts (0 to {@link MAX_RESERVED_SER_ID}). */
export function isReservedSerId(id: SerId): boolean {
  return id <= MAX_RESERVED_SER_ID;
}

/**
 * Validates a serId a user picked: a {@link SerId} above {@link MAX_RESERVED_SER_ID}.
 *
 * @throws TypeError when `n` is not an integer from 21 to 4294967295.
 * @internal
 */
export function userSerId(n: number): SerId {
  const id = serId(n);
  if (isReservedSerId(id)) {
    throw new TypeError(
      `Expected \`serId\` to be a user serId from ${MAX_RESERVED_SER_ID + 1} up ` +
        `(0 to ${MAX_RESERVED_SER_ID} are reserved for kompact-ts), got ${describeValue(n)}`,
    );
  }
  return id;
}
