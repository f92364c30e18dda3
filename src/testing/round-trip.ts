import { inspect, isDeepStrictEqual } from 'node:util';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { deserialiseFromBytes, serialiseToBytes } from '../serialisation/serialiser.js';

/** What {@link roundTrip} found: the bytes a value serialised to and the value read back from them. */
export interface RoundTrip<T> {
  /** The serialised bytes (a copy of their own). */
  readonly bytes: Uint8Array;
  /** What `deserialise` read back from `bytes` (which it must consume exactly). */
  readonly value: T;
}

/**
 * Serialises `value` with `serialiser` and reads it back, as a peer would: the reader must consume the
 * bytes exactly. For tests of your own serialisers.
 *
 * Kompact: the serialisation round-trip checks of its test suite (`serialisation` tests).
 *
 * @throws {@link SerialisationError} when either direction fails (with the serialiser's serId).
 */
export function roundTrip<T>(serialiser: Serialiser<T>, value: T): RoundTrip<T> {
  const bytes = serialiseToBytes(serialiser, value).slice();
  return { bytes, value: deserialiseFromBytes(serialiser, bytes) };
}

/**
 * Checks that every one of `values` survives a {@link roundTrip} unchanged (deep, strict equality, or
 * `equals` when given), and that the serialiser's `sizeHint`, if any, is a positive number. Throws an
 * `Error` naming the first value that does not, and what came back.
 *
 * @example
 * ```ts
 * import { assertRoundTrips } from 'kompact-ts/testing';
 * assertRoundTrips(PointSerialiser, [{ x: 1, y: 2 }, { x: -0.5, y: 1e9 }]);
 * ```
 */
export function assertRoundTrips<T>(
  serialiser: Serialiser<T>,
  values: readonly T[],
  equals: (sent: T, received: T) => boolean = isDeepStrictEqual,
): void {
  if (!Array.isArray(values)) {
    throw new TypeError(`Expected \`values\` to be an array, got ${describeValue(values)}`);
  }
  const hint = serialiser?.sizeHint;
  if (hint !== undefined && !(typeof hint === 'number' && hint > 0)) {
    throw new Error(
      `serialiser ${String(serialiser.serId)} has a sizeHint of ${describeValue(hint)}; expected a positive number`,
    );
  }
  for (const [index, value] of values.entries()) {
    let result: RoundTrip<T>;
    try {
      result = roundTrip(serialiser, value);
    } catch (error) {
      throw new Error(
        `value ${index} (${show(value)}) did not round-trip through serId ${String(serialiser?.serId)}: ${describeThrown(error)}`,
        { cause: error },
      );
    }
    if (!equals(value, result.value)) {
      throw new Error(
        `value ${index} (${show(value)}) came back as ${show(result.value)} from serId ${String(serialiser.serId)}`,
      );
    }
  }
}

function show(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
}
