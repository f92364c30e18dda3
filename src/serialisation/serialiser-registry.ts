import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { type SerId, serId, userSerId } from './ser-id.js';
import { SerialisationError } from './serialisation-error.js';
import { deserialiseFromBytes, type Serialiser } from './serialiser.js';
import { Serialisers } from './serialisers.js';

/**
 * The serialisers a system accepts, by serId: bytes are only ever deserialised by a registered
 * serialiser. Starts with the built-ins ({@link Serialisers}).
 *
 * Kompact: the `ser_id → Deserialiser` match a receiver does with `try_deserialise` / `match_deser!`,
 * made a table.
 *
 * @remarks Registering the same serialiser object twice is a no-op; a different serialiser under a
 * taken serId is refused, as is a reserved serId (0 to 20).
 *
 * @example
 * ```ts
 * const registry = new SerialiserRegistry();
 * registry.register(msgpackSerialiser(serId(100), isMove));
 * const value = registry.deserialise(serId(100), bytes); // unknown; narrow it, or use matchDeserialise
 * ```
 */
export class SerialiserRegistry {
  private readonly byId = new Map<SerId, Serialiser<unknown>>();

  /** Makes a registry holding the built-in serialisers. */
  constructor() {
    for (const serialiser of Object.values(Serialisers) as Serialiser<unknown>[]) {
      this.byId.set(serialiser.serId, serialiser);
    }
  }

  /**
   * Adds a serialiser under its serId.
   *
   * @throws TypeError when `serialiser` is not a serialiser or its serId is reserved.
   * @throws {@link KompactError} with code `DUPLICATE_SER_ID` when another serialiser has that serId.
   */
  register<T>(serialiser: Serialiser<T>): void {
    if (
      typeof serialiser !== 'object' ||
      serialiser === null ||
      typeof serialiser.serialise !== 'function' ||
      typeof serialiser.deserialise !== 'function'
    ) {
      throw new TypeError(
        `Expected \`serialiser\` to be a Serialiser (serId, serialise, deserialise), got ${describeValue(serialiser)}`,
      );
    }
    const id = userSerId(serialiser.serId);
    const existing = this.byId.get(id);
    if (existing === serialiser) return;
    if (existing !== undefined) {
      throw new KompactError('DUPLICATE_SER_ID', `SerId ${id} is already registered to another serialiser`);
    }
    this.byId.set(id, serialiser as Serialiser<unknown>);
  }

  /**
   * Adds every serialiser of `serialisers` (see {@link SerialiserRegistry.register}); returns the
   * registry.
   */
  registerAll(serialisers: Iterable<Serialiser<unknown>>): this {
    for (const serialiser of serialisers) this.register(serialiser);
    return this;
  }

  /** Whether a serialiser is registered under `id`. */
  has(id: SerId): boolean {
    return this.byId.has(id);
  }

  /** The serialiser registered under `id`, or `undefined`. */
  get(id: SerId): Serialiser<unknown> | undefined {
    return this.byId.get(id);
  }

  /**
   * Deserialises `bytes` with the serialiser registered under `id`.
   *
   * @throws TypeError when `id` is not a serId.
   * @throws {@link SerialisationError} with code `UNKNOWN_SER_ID` when nothing is registered under `id`,
   * or code `SERIALISATION_FAILED` when the bytes do not decode.
   */
  deserialise(id: SerId, bytes: Uint8Array): unknown {
    const serialiser = this.byId.get(serId(id));
    if (serialiser === undefined) {
      throw new SerialisationError('unknown-ser-id', id, `No serialiser is registered for serId ${id}`);
    }
    return deserialiseFromBytes(serialiser, bytes);
  }
}
