import type { SnapshotWrite } from '../snapshots/snapshot-store.js';

// One batch of writes as one buffer, so a batch crosses to the SQLite worker as one block of bytes,
// not a structured clone per entry: per change a kind byte (1 save, 0 delete), the key's UTF-8 length (u32)
// and bytes, and for a save the value's length (u32) and bytes.

const SAVE = 1;
const DELETE = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes `batch` into a fresh buffer. */
export function encodeBatch(batch: readonly SnapshotWrite[]): ArrayBuffer {
  let size = 0;
  for (const change of batch) {
    size += 5 + Buffer.byteLength(change.key, 'utf8');
    if (change.kind === 'save') size += 4 + change.bytes.length;
  }
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  let at = 0;
  for (const change of batch) {
    bytes[at] = change.kind === 'save' ? SAVE : DELETE;
    const written = encoder.encodeInto(change.key, bytes.subarray(at + 5)).written;
    view.setUint32(at + 1, written);
    at += 5 + written;
    if (change.kind === 'save') {
      view.setUint32(at, change.bytes.length);
      bytes.set(change.bytes, at + 4);
      at += 4 + change.bytes.length;
    }
  }
  return buffer;
}

/** One decoded change: the value is a view into the batch's buffer (`undefined` for a delete). */
export interface DecodedChange {
  readonly key: string;
  readonly value: Buffer | undefined;
}

/** Decodes a buffer made by {@link encodeBatch}. */
export function decodeBatch(buffer: ArrayBuffer): DecodedChange[] {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const changes: DecodedChange[] = [];
  let at = 0;
  while (at < bytes.length) {
    const kind = bytes[at];
    const keyLength = view.getUint32(at + 1);
    const key = decoder.decode(bytes.subarray(at + 5, at + 5 + keyLength));
    at += 5 + keyLength;
    if (kind === SAVE) {
      const valueLength = view.getUint32(at);
      changes.push({ key, value: Buffer.from(buffer, at + 4, valueLength) });
      at += 4 + valueLength;
    } else {
      changes.push({ key, value: undefined });
    }
  }
  return changes;
}
