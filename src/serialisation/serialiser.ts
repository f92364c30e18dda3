import { describeThrown } from '../internal/describe-thrown.js';
import { BufferReader } from './buffer-reader.js';
import { BufferWriter, type ChunkRange } from './buffer-writer.js';
import { readF64At } from './f64.js';
import type { SerId } from './ser-id.js';
import { SerialisationError } from './serialisation-error.js';
import { Serialisers } from './serialisers.js';

/**
 * Turns values of type `T` into bytes and back, under one {@link SerId}.
 *
 * Kompact: `Serialiser<T>` and `Deserialiser<T>` (one object here: the id, both directions and the size
 * hint).
 *
 * @remarks `deserialise` must read exactly what `serialise` wrote, and may throw on bad input (the
 * callers wrap anything thrown into a {@link SerialisationError}). The reader's bounds checks make
 * truncated input fail on their own; a serialiser only checks what the bytes mean.
 *
 * @example
 * ```ts
 * const pointSerialiser: Serialiser<{ x: number; y: number }> = {
 *   serId: serId(42),
 *   sizeHint: 16,
 *   serialise(point, out) { out.writeF64(point.x); out.writeF64(point.y); },
 *   deserialise(input) { return { x: input.readF64(), y: input.readF64() }; },
 * };
 * ```
 */
export interface Serialiser<T> {
  /** The id sent with the bytes. */
  readonly serId: SerId;
  /** A guess at the encoded size in bytes, used as the writer's first allocation. */
  readonly sizeHint?: number;
  /** Writes `value` to `out`. */
  serialise(value: T, out: BufferWriter): void;
  /** Reads one value from `input`. */
  deserialise(input: BufferReader): T;
}

const NUMBER: Serialiser<unknown> = Serialisers.number;

// One writer shared by every top-level serialisation: finished views never overlap, so handing them out
// from one chunk is safe, and it saves an allocation per value. A serialiser that serialises something
// itself (re-entrantly) gets a writer of its own.
const sharedWriter = new BufferWriter(8192);
let sharedWriterBusy = false;

function sizeHintOf(serialiser: Serialiser<unknown>): number {
  const hint = serialiser.sizeHint;
  return typeof hint === 'number' && Number.isFinite(hint) && hint > 0 ? Math.ceil(hint) : 64;
}

/**
 * Serialises one value to bytes.
 *
 * @remarks The result may be a view into a larger chunk shared with other results (it is never written
 * again); copy it if you keep a few small results for a long time.
 * @throws {@link SerialisationError} (with the serialiser's `serId`) when the serialiser throws.
 */
export function serialiseToBytes<T>(serialiser: Serialiser<T>, value: T): Uint8Array {
  const useShared = !sharedWriterBusy;
  const out = useShared ? sharedWriter : new BufferWriter(sizeHintOf(serialiser as Serialiser<unknown>));
  if (useShared) sharedWriterBusy = true;
  try {
    serialiser.serialise(value, out);
    return out.finish();
  } catch (error) {
    out.finish(); // drop the partial value so the next one starts clean
    throw withSerId(error, serialiser.serId, 'serialise', 'invalid-type');
  } finally {
    if (useShared) sharedWriterBusy = false;
  }
}

/**
 * @internal {@link serialiseToBytes} without the view: points `target` at the value's bytes in the
 * writer's chunk (never written again). The network layer copies them straight into its output.
 *
 * @throws {@link SerialisationError} (with the serialiser's `serId`) when the serialiser throws.
 */
export function serialiseInto<T>(serialiser: Serialiser<T>, value: T, target: ChunkRange): void {
  if (serialiser === NUMBER && typeof value === 'number' && !sharedWriterBusy) {
    // A number cannot fail to serialise: no serialiser call, no try, for the commonest small payload.
    sharedWriter.writeF64(value);
    sharedWriter.finishInto(target);
    return;
  }
  const useShared = !sharedWriterBusy;
  const out = useShared ? sharedWriter : new BufferWriter(sizeHintOf(serialiser as Serialiser<unknown>));
  if (useShared) sharedWriterBusy = true;
  try {
    serialiser.serialise(value, out);
    out.finishInto(target);
  } catch (error) {
    out.finish(); // drop the partial value so the next one starts clean
    throw withSerId(error, serialiser.serId, 'serialise', 'invalid-type');
  } finally {
    if (useShared) sharedWriterBusy = false;
  }
}

/**
 * Writes `value` straight into a caller's buffer at `at` when `serialiser` is one whose bytes are written
 * there without a writer (the built-in number serialiser: 8 bytes, big-endian), and returns how many
 * bytes that took; -1 (nothing written) for any other serialiser or value, or when fewer than the bytes
 * needed are left (`room`): the caller then serialises with {@link serialiseInto}. A transport that
 * writes frames into its own buffer (the thread channel's ring) saves the copy out of the shared
 * writer. Not part of the package's API.
 */
export function serialiseFixedAt<T>(
  serialiser: Serialiser<T>,
  value: T,
  view: DataView,
  at: number,
  room: number,
): number {
  if (serialiser !== NUMBER || typeof value !== 'number' || room < 8) return -1;
  // The same bytes as BufferWriter.writeF64: a DataView writes big-endian unless told otherwise.
  view.setFloat64(at, value);
  return 8;
}

/**
 * Deserialises one value that must fill `bytes` exactly.
 *
 * @throws {@link SerialisationError} (with the serialiser's `serId`) when the bytes are truncated, have
 * trailing bytes, or the serialiser throws.
 */
export function deserialiseFromBytes<T>(serialiser: Serialiser<T>, bytes: Uint8Array): T {
  try {
    const input = new BufferReader(bytes);
    const value = serialiser.deserialise(input);
    input.expectEnd();
    return value;
  } catch (error) {
    throw withSerId(error, serialiser.serId, 'deserialise', 'invalid-data');
  }
}

/**
 * @internal {@link deserialiseFromBytes} of the `length` bytes at `offset` in `chunk`, read in place.
 */
export function deserialiseRange<T>(
  serialiser: Serialiser<T>,
  chunk: Uint8Array,
  offset: number,
  length: number,
): T {
  // A number is the commonest small payload: its 8 bytes are read without a reader. Any other length
  // takes the reader, which reports it as before.
  if (serialiser === NUMBER && length === 8 && offset + 8 <= chunk.length) {
    return readF64At(chunk, offset) as T;
  }
  try {
    const input = new BufferReader(chunk, offset, offset + length);
    const value = serialiser.deserialise(input);
    input.expectEnd();
    return value;
  } catch (error) {
    throw withSerId(error, serialiser.serId, 'deserialise', 'invalid-data');
  }
}

function withSerId(
  error: unknown,
  id: SerId,
  action: 'serialise' | 'deserialise',
  fallback: 'invalid-type' | 'invalid-data',
): SerialisationError {
  if (error instanceof SerialisationError) {
    if (error.serId === id) return error;
    return new SerialisationError(error.reason, id, `Cannot ${action} serId ${id}: ${error.message}`, {
      cause: error,
    });
  }
  return new SerialisationError(fallback, id, `Cannot ${action} serId ${id}: ${describeThrown(error)}`, {
    cause: error,
  });
}
