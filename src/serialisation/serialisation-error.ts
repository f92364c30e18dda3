import { KompactError } from '../internal/kompact-error.js';
import type { SerId } from './ser-id.js';

/**
 * Why serialisation failed; the `reason` of a {@link SerialisationError}.
 *
 * - `buffer`: the bytes ended before the value did (truncated input).
 * - `invalid-data`: the bytes do not encode a value of the expected type (garbage, trailing bytes, a
 *   failed `validate`).
 * - `invalid-type`: the value cannot be serialised by this serialiser (for example a lone surrogate in a
 *   string, a cyclic object for msgpack).
 * - `unknown-ser-id`: no registered serialiser handles the serId (code `UNKNOWN_SER_ID`).
 *
 * Kompact: `SerErrorKind::{Buffer, InvalidData, InvalidType}` and `UnpackError::NoIdMatch`.
 */
export type SerialisationErrorReason = 'buffer' | 'invalid-data' | 'invalid-type' | 'unknown-ser-id';

/**
 * A value that could not be serialised, or bytes that could not be deserialised. Its `code` is
 * `UNKNOWN_SER_ID` for an unregistered serId and `SERIALISATION_FAILED` otherwise.
 *
 * Kompact: `SerError`.
 *
 * @example
 * ```ts
 * try { registry.deserialise(id, bytes); }
 * catch (e) { if (e instanceof SerialisationError && e.code === 'UNKNOWN_SER_ID') deadLetter(e.serId); }
 * ```
 */
export class SerialisationError extends KompactError {
  /** What went wrong. */
  readonly reason: SerialisationErrorReason;
  /** The serId involved, when known (a bare {@link BufferReader} does not know it). */
  readonly serId: SerId | undefined;

  constructor(
    reason: SerialisationErrorReason,
    serId: SerId | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason === 'unknown-ser-id' ? 'UNKNOWN_SER_ID' : 'SERIALISATION_FAILED', message, options);
    this.name = 'SerialisationError';
    this.reason = reason;
    this.serId = serId;
  }
}
