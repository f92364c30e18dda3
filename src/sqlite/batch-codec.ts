import { DELETED, type PackedBatch } from '../snapshots/packed-batch.js';

// A batch crosses to the SQLite worker as the facade packed it (keys, spans, values: see
// src/snapshots/packed-batch.ts), copied by postMessage's structured clone: the keys natively (cheaper
// than encoding and decoding UTF-8 in JavaScript: measured, see docs/durable-snapshots.md), the spans
// and the records' buffer as two typed arrays.

/**
 * Calls `save` or `remove` for each change of `batch`, in order; a saved value is a view into the
 * batch's buffer.
 */
export function forEachChange(
  batch: PackedBatch,
  save: (key: string, value: Buffer) => void,
  remove: (key: string) => void,
): void {
  const { keys, spans } = batch;
  const values = Buffer.from(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const length = spans[2 * i + 1] as number;
    if (length === DELETED) {
      remove(key);
    } else {
      const offset = spans[2 * i] as number;
      save(key, values.subarray(offset, offset + length));
    }
  }
}
