import type { SnapshotWrite } from '../snapshots/snapshot-store.js';

// One batch of writes as it crosses to the SQLite worker: the keys as an array of strings (structured
// clone copies them natively, cheaper than encoding and decoding UTF-8 in JavaScript: measured, see
// docs/durable-snapshots.md) and one buffer holding each change's value length (u32, in the platform's
// byte order, both threads being on one machine; DELETED for a delete), then the values end to end.

/** The length that marks a delete. */
const DELETED = 0xffff_ffff;

/** A batch ready for `postMessage`. */
export interface EncodedBatch {
  readonly keys: readonly string[];
  readonly data: ArrayBuffer;
}

/** Encodes `batch`; its keys are kept, its values copied into one fresh buffer. */
export function encodeBatch(batch: readonly SnapshotWrite[]): EncodedBatch {
  const count = batch.length;
  const keys = new Array<string>(count);
  let valueBytes = 0;
  for (let i = 0; i < count; i++) {
    const change = batch[i] as SnapshotWrite;
    keys[i] = change.key;
    if (change.kind === 'save') valueBytes += change.bytes.length;
  }
  const data = new ArrayBuffer(4 * count + valueBytes);
  const lengths = new Uint32Array(data, 0, count);
  const values = new Uint8Array(data, 4 * count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const change = batch[i] as SnapshotWrite;
    if (change.kind === 'save') {
      lengths[i] = change.bytes.length;
      values.set(change.bytes, at);
      at += change.bytes.length;
    } else {
      lengths[i] = DELETED;
    }
  }
  return { keys, data };
}

/**
 * Calls `save` or `remove` for each change of a batch made by {@link encodeBatch}, in order; a saved
 * value is a view into the batch's buffer.
 */
export function forEachChange(
  batch: EncodedBatch,
  save: (key: string, value: Buffer) => void,
  remove: (key: string) => void,
): void {
  const { keys, data } = batch;
  const count = keys.length;
  const lengths = new Uint32Array(data, 0, count);
  const values = Buffer.from(data, 4 * count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[i] as string;
    const length = lengths[i] as number;
    if (length === DELETED) {
      remove(key);
    } else {
      save(key, values.subarray(at, at + length));
      at += length;
    }
  }
}
