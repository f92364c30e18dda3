// A batch of snapshot changes as the facade builds it: no object per change. The keys in one array,
// the records written straight into one buffer, and two u32 per change saying where its record is.
// Each pending save then holds a slot in an array and eight bytes of a Uint32Array instead of a
// change object and a view of its own: the young-generation scavenges that run while thousands of
// saves wait for their commit copy what is still alive, so less per save is less pause per scavenge.
// A store of this package takes the batch in this form (see `writePacked`); any other store gets
// `SnapshotWrite`s made from it at commit.
import type { SnapshotWrite } from './snapshot-store.js';

/** The length of a change that is a delete. */
export const DELETED = 0xffff_ffff;

/**
 * A batch in one piece: change `i` is `keys[i]`; its record is the `spans[2i + 1]` bytes at offset
 * `spans[2i]` of `values`, or, when that length is {@link DELETED}, the change deletes the key. `spans`
 * and `values` may be longer than the batch needs; bytes no span names are never read.
 *
 * The buffer under `values` belongs to the batch alone (the facade's writer allocates it for that batch,
 * `pack` copies into a new one): a store may move it to another thread (transfer it), and the facade
 * never reads a batch's `values` once it has handed the batch over.
 */
export interface PackedBatch {
  readonly keys: readonly string[];
  readonly spans: Uint32Array;
  readonly values: Uint8Array;
}

/**
 * The method a store of this package offers to take a batch as a {@link PackedBatch} (the SQLite store
 * sends it to its worker as it is). Keyed by a symbol that is not part of the package's API.
 */
export const writePacked: unique symbol = Symbol('kompact-ts.snapshots.writePacked');

/**
 * How a store tells the facade that a packed write ended: an object with two methods rather than a
 * promise, so that a write costs no promise, closures or `then` of its own (the facade's batch is its
 * own settler).
 */
export interface WriteSettler {
  /** The write is durable. */
  resolve(): void;
  /** The write failed (nothing of it applied), with the store's error. */
  reject(error: unknown): void;
}

/**
 * A store that takes packed batches: it settles `settler` once, never synchronously inside the call,
 * and writes in call order. Once `settler` is settled the store no longer reads `batch`.
 */
export interface PackedWriter {
  [writePacked](batch: PackedBatch, settler: WriteSettler): void;
}

/** `store`'s packed write, if it has one. */
export function packedWriterOf(store: object): PackedWriter | undefined {
  return typeof (store as Partial<PackedWriter>)[writePacked] === 'function'
    ? (store as PackedWriter)
    : undefined;
}

/** The changes of `batch` as `SnapshotWrite`s; saved bytes are views into its buffer, never written again. */
export function unpack(batch: PackedBatch): SnapshotWrite[] {
  const { keys, spans, values } = batch;
  const changes = new Array<SnapshotWrite>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const offset = spans[2 * i] as number;
    const length = spans[2 * i + 1] as number;
    changes[i] =
      length === DELETED
        ? { kind: 'delete', key }
        : { kind: 'save', key, bytes: values.subarray(offset, offset + length) };
  }
  return changes;
}

/** `changes` as a {@link PackedBatch}: their saved bytes copied into one buffer. */
export function pack(changes: readonly SnapshotWrite[]): PackedBatch {
  const count = changes.length;
  const keys = new Array<string>(count);
  const spans = new Uint32Array(2 * count);
  let valueBytes = 0;
  for (const change of changes) if (change.kind === 'save') valueBytes += change.bytes.length;
  const values = new Uint8Array(valueBytes);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const change = changes[i] as SnapshotWrite;
    keys[i] = change.key;
    spans[2 * i] = at;
    if (change.kind === 'save') {
      spans[2 * i + 1] = change.bytes.length;
      values.set(change.bytes, at);
      at += change.bytes.length;
    } else {
      spans[2 * i + 1] = DELETED;
    }
  }
  return { keys, spans, values };
}
