import { describeValue } from '../internal/describe-value.js';
import { type SerId, serId } from './ser-id.js';
import { type Serialiser, serialiseToBytes } from './serialiser.js';
import { isSerialiser } from './serialisers.js';

/**
 * A value serialised once, ahead of sending, to be sent as it is any number of times with
 * `path.tellPreserialised(payload, from)`: the bytes go into each frame without running the serialiser
 * again.
 *
 * Kompact: a pre-serialised `ChunkRef` (`ctx.preserialise(&msg)` / `ActorPath::tell_preserialised`).
 *
 * @remarks Immutable: the bytes are a copy of their own, never written again. A receiver on the same
 * system reads the value from these bytes (as from a peer), not the original object. Pre-serialising
 * pays off for a value sent to many paths or many times; for one send, `path.tell` is as cheap (it
 * serialises straight into the frame).
 *
 * @example
 * ```ts
 * const announcement = Preserialised.of({ leader: 3 }, msgpackSerialiser(serId(100)));
 * for (const peer of peers) peer.tellPreserialised(announcement, this);
 * ```
 */
export class Preserialised {
  /** The serId the receiver reads the bytes with. */
  readonly serId: SerId;
  /** The serialised value (a copy of its own; do not write to it). */
  readonly bytes: Uint8Array;

  private constructor(id: SerId, bytes: Uint8Array) {
    this.serId = id;
    this.bytes = bytes;
    Object.freeze(this);
  }

  /**
   * Serialises `value` with `serialiser` now.
   *
   * Kompact: `ComponentContext::preserialise`.
   *
   * @throws {@link SerialisationError} when the serialiser throws.
   */
  static of<T>(value: T, serialiser: Serialiser<T>): Preserialised {
    if (!isSerialiser(serialiser)) {
      throw new TypeError(`Expected \`serialiser\` to be a Serialiser, got ${describeValue(serialiser)}`);
    }
    // A copy: serialiseToBytes may hand out a view into a chunk shared with other results.
    return new Preserialised(serialiser.serId, serialiseToBytes(serialiser, value).slice());
  }

  /** Wraps bytes some serialiser of `id` wrote (copied, so later writes to `bytes` change nothing). */
  static fromBytes(id: SerId, bytes: Uint8Array): Preserialised {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`Expected \`bytes\` to be a Uint8Array, got ${describeValue(bytes)}`);
    }
    return new Preserialised(serId(id), bytes.slice());
  }
}
