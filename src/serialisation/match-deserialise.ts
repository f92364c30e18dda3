import type { SerId } from './ser-id.js';
import { deserialiseFromBytes, type Serialiser } from './serialiser.js';

/**
 * The cases of {@link matchDeserialise}: for each value type, a serialiser and a handler of that type.
 */
export type MatchCases<Ts extends readonly unknown[], R> = {
  readonly [K in keyof Ts]: readonly [Serialiser<Ts[K]>, (value: Ts[K]) => R];
};

/**
 * Deserialises `bytes` with the first case whose serialiser has serId `id` and passes the value to that
 * case's handler; calls `orElse` when no case has that serId.
 *
 * Kompact: `match_deser! { msg { msg(x): T [using D] => …, … } }`.
 *
 * @remarks Only the listed serialisers ever read the bytes. A case whose serId matches but whose bytes
 * do not decode throws a {@link SerialisationError} (no other case is tried); errors thrown by a handler
 * or by `orElse` pass through unchanged.
 *
 * @example
 * ```ts
 * const reply = matchDeserialise(msg.serId, msg.bytes, [
 *   [Serialisers.string, (text) => `string ${text}`],
 *   [MoveSerialiser, (move) => `move to ${move.x},${move.y}`],
 * ], (id) => `unexpected serId ${id}`);
 * ```
 */
export function matchDeserialise<const Ts extends readonly unknown[], R>(
  id: SerId,
  bytes: Uint8Array,
  cases: MatchCases<Ts, R>,
  orElse: (id: SerId, bytes: Uint8Array) => R,
): R {
  for (const [serialiser, handler] of cases as readonly (readonly [
    Serialiser<unknown>,
    (value: unknown) => R,
  ])[]) {
    if (serialiser.serId === id) return handler(deserialiseFromBytes(serialiser, bytes));
  }
  return orElse(id, bytes);
}
