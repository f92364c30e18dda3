import type { Logger } from 'pino';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { BufferWriter } from '../serialisation/buffer-writer.js';
import { plainMsgpackSerialiser } from '../serialisation/msgpack-serialiser.js';
import { ReservedSerIds, type SerId } from '../serialisation/ser-id.js';
import { SerialisationError } from '../serialisation/serialisation-error.js';
import { deserialiseFromBytes, type Serialiser } from '../serialisation/serialiser.js';
import { isSerialiser } from '../serialisation/serialisers.js';
import {
  DELETED,
  type PackedBatch,
  type PackedWriter,
  packedWriterOf,
  unpack,
  type WriteSettler,
  writePacked,
} from './packed-batch.js';
import type { SnapshotStore } from './snapshot-store.js';

/** The serialiser of `save` and `load` without one: msgpack (plain data), under serId 12. */
const DEFAULT_SERIALISER: Serialiser<unknown> = plainMsgpackSerialiser(
  ReservedSerIds.msgpack,
  undefined,
  false,
);

const DEFAULT_MAX_BATCH_SIZE = 1000;
const DEFAULT_MAX_WRITES_IN_FLIGHT = 1;
/** Bytes before the serialiser's own: the serId, big-endian, so `load` can refuse another serialiser's bytes. */
const HEADER_BYTES = 4;
/** Keys a failure message names before it says how many more there were. */
const KEYS_NAMED = 3;

/**
 * Saves of a batch released together: the batch's acknowledgement runs the continuations of every save
 * that awaited it at once, so a large batch releases its saves a slice at a time (see `#release`).
 */
const SLICE_SIZE = 64;
/**
 * How long the continuations of one batch may run before the rest wait for the next turn of the event
 * loop. Not under 1 ms: the next window waits for a timer of 1 ms (Node's shortest), so a shorter
 * budget would leave the rest of each millisecond unused.
 */
const RELEASE_BUDGET_MS = 1;
/** The first buffer of a batch's records holds at least this many bytes, and at first at most the next. */
const MIN_VALUE_BYTES = 256;
const MAX_FIRST_VALUE_BYTES = 1 << 20;
/** Writes in flight beyond which the facade hands a store only full batches (see `#mayHandOver`). */
const PIPELINE_DEPTH = 2;
/** Keys the facade remembers places of before it forgets those of settled batches. */
const FORGET_ABOVE = 4096;
/** Settled batches whose keys and spans arrays the facade keeps for the next batches. */
const SPARE_ARRAYS = 16;

/**
 * How a save made with `ctx.saveSnapshot` ended, as its `onSaved` callback is told: durable in the
 * store, or failed with a `KompactError` (`SNAPSHOT_FAILED` with the store's error as `cause`, or
 * `SNAPSHOT_STORE_CLOSED` when the system shut down first).
 */
export type SaveOutcome =
  | { readonly kind: 'saved' }
  | { readonly kind: 'failed'; readonly error: KompactError };

/** The one `saved` outcome: acknowledging a save allocates nothing for it. */
const SAVED: SaveOutcome = Object.freeze({ kind: 'saved' });

/** The outcome of saves that failed with `error`. */
function failedOutcome(error: KompactError): SaveOutcome {
  return Object.freeze({ kind: 'failed', error });
}

/**
 * Who is told when a notified save settles (a component's core, package-internal): `saveSettled` gets
 * the callback given with the save and its outcome, once.
 */
export interface SaveListener<C = unknown> {
  saveSettled(onSaved: C, outcome: SaveOutcome): void;
}
/**
 * Queues a microtask with `.then` on a settled promise: Node's `queueMicrotask` makes an
 * `AsyncResource` and a bound function per call, and the facade queues one per batch and per slice.
 */
const RESOLVED = Promise.resolve();
const NOOP = (): void => {};

// A slice's promise takes its resolvers through this one executor, not through a closure made per slice.
let madeResolve: () => void = NOOP;
let madeReject: (error: KompactError) => void = NOOP;
function keepResolvers(resolve: () => void, reject: (error: KompactError) => void): void {
  madeResolve = resolve;
  madeReject = reject;
}

/**
 * One slice of a batch's saves: the promise they share, and where its notified saves start in the
 * batch's `notices` (they end where the next slice's start, or at the batch's end).
 */
class Slice {
  readonly done: Promise<void>;
  readonly noticesFrom: number;
  /** Set once settled: an abandoned batch's slices are rejected, and their notices told, only once. */
  isSettled = false;
  readonly #resolve: () => void;
  readonly #reject: (error: KompactError) => void;

  constructor(noticesFrom: number) {
    this.done = new Promise<void>(keepResolvers);
    this.noticesFrom = noticesFrom;
    this.#resolve = madeResolve;
    this.#reject = madeReject;
  }

  resolve(): void {
    this.#resolve();
  }

  reject(error: KompactError): void {
    // Looked at or not, a failed batch is logged by the facade: never an unhandled rejection. The
    // handler goes on only now, so that a slice that succeeds costs no `catch` of its own.
    this.done.catch(NOOP);
    this.#reject(error);
  }
}

/** What the facade does once a batch's write settled, with the store's error if it failed. */
type OnWritten = (batch: Batch, isFailed: boolean, error: unknown) => void;

/**
 * A group of changes committed in one `write`, packed (see packed-batch.ts: no object per change), and
 * the promises its saves resolve with, a slice each. It is also the settler its store's write calls
 * back (a {@link WriteSettler}).
 */
class Batch implements WriteSettler {
  /**
   * The keys of its changes, `count` of them (the array is made a little longer than the last batch
   * needed, so it seldom grows). Where a key is, the facade's `positions` say.
   */
  readonly keys: string[];
  count = 0;
  /** Per change, the offset and length of its record in `values` (length `DELETED`: a delete). */
  spans: Uint32Array;
  /**
   * The records, written straight in by the serialisers. Never finished before the commit, so the
   * writer keeps them in one piece, moving them to a larger buffer as it grows.
   */
  readonly values: BufferWriter;
  /** One per `SLICE_SIZE` keys, in order: a save shares the slice that was last when it was made. */
  readonly slices: Slice[] = [new Slice(0)];
  /**
   * The notified saves (`ctx.saveSnapshot`), two entries each from 0 to `noticeEnd`: the listener, then
   * its callback. No object and no promise per save: a component waiting for its acknowledgement holds
   * only these. The array may be a released batch's (its entries were cleared as they were told), and
   * goes to `#spareNotices` once this batch's last slice is settled: an array grown anew for each batch
   * of 1,000 notified saves allocated about 45 bytes per save, and lived long enough to be promoted.
   */
  readonly notices: unknown[];
  noticeEnd = 0;
  /** Set once the write failed: what its saves reject with. */
  failure: KompactError | undefined;
  readonly #positions: Map<string, number>;
  readonly #onWritten: OnWritten;
  readonly #spareNotices: unknown[][];

  /** `keys` and `spans` may be a settled batch's (their old contents are never read: see `count`). */
  constructor(
    positions: Map<string, number>,
    keys: string[],
    spans: Uint32Array,
    valueBytes: number,
    onWritten: OnWritten,
    spareNotices: unknown[][],
  ) {
    this.#positions = positions;
    this.#onWritten = onWritten;
    this.#spareNotices = spareNotices;
    this.keys = keys;
    this.spans = spans;
    this.values = new BufferWriter(valueBytes);
    this.notices = spareNotices.pop() ?? [];
  }

  /** Adds a notified save to the batch's last slice. */
  notify(listener: SaveListener, onSaved: unknown): void {
    const notices = this.notices;
    const at = this.noticeEnd;
    this.noticeEnd = at + 2;
    // In place while the array is long enough (a reused one), pushed past its end.
    if (at < notices.length) {
      notices[at] = listener;
      notices[at + 1] = onSaved;
    } else notices.push(listener, onSaved);
  }

  resolve(): void {
    this.#onWritten(this, false, undefined);
  }

  reject(error: unknown): void {
    this.#onWritten(this, true, error);
  }

  /** Settles once every save of the batch has (the last slice is released last). */
  get done(): Promise<void> {
    return (this.slices.at(-1) as Slice).done;
  }

  /** Whether the batch has a change of `key`. */
  has(key: string): boolean {
    const position = this.#positions.get(key);
    return position !== undefined && position < this.count && this.keys[position] === key;
  }

  /**
   * Makes the change of `key` the record of `length` bytes at `offset` (`DELETED`: a delete), in place
   * of an earlier change of `key` in this batch; returns the promise of its slice.
   */
  put(key: string, offset: number, length: number): Promise<void> {
    let position = this.#positions.get(key);
    if (position === undefined || position >= this.count || this.keys[position] !== key) {
      position = this.count++;
      if (position % SLICE_SIZE === 0 && position > 0) this.slices.push(new Slice(this.noticeEnd));
      if (position < this.keys.length) this.keys[position] = key;
      else this.keys.push(key);
      this.#positions.set(key, position);
      if (2 * position + 2 > this.spans.length) {
        const spans = new Uint32Array(2 * this.spans.length);
        spans.set(this.spans);
        this.spans = spans;
      }
    }
    this.spans[2 * position] = offset;
    this.spans[2 * position + 1] = length;
    return (this.slices.at(-1) as Slice).done;
  }

  /**
   * Settles slice `index` (once: later calls do nothing): its promise, and each of its notified saves'
   * listeners, with `failure` or as saved.
   */
  settleSlice(index: number, failure: KompactError | undefined): void {
    const { slices, notices } = this;
    const slice = slices[index] as Slice;
    if (slice.isSettled) return;
    slice.isSettled = true;
    if (failure === undefined) slice.resolve();
    else slice.reject(failure);
    const isLast = index + 1 === slices.length;
    const end = isLast ? this.noticeEnd : (slices[index + 1] as Slice).noticesFrom;
    if (slice.noticesFrom < end) {
      const outcome = failure === undefined ? SAVED : failedOutcome(failure);
      for (let i = slice.noticesFrom; i < end; i += 2) {
        (notices[i] as SaveListener).saveSettled(notices[i + 1], outcome);
        // Told: the batch no longer keeps the callback (or the component) alive.
        notices[i] = notices[i + 1] = undefined;
      }
    }
    // Every slice is settled in order (released, or rejected by an abandon), the last one last: the
    // array is empty of notices now, and nothing adds to a batch whose slices settle.
    if (isLast && notices.length > 0 && this.#spareNotices.length < SPARE_ARRAYS) {
      this.#spareNotices.push(notices);
    }
  }
}

// Set by the class's static block: shutdown's access to its private steps.
let closeOf: (snapshots: Snapshots) => Promise<void>;
let abandonOf: (snapshots: Snapshots, reason: string) => void;
/** The shape of {@link saveNotifying}. */
type SaveNotifying = <T, C>(
  snapshots: Snapshots,
  key: string,
  value: T,
  serialiser: Serialiser<T> | undefined,
  listener: SaveListener<C>,
  onSaved: C,
) => void;
let saveNotifyingOf: SaveNotifying;

/**
 * A system's snapshots: values saved under string keys in its {@link SnapshotStore}, reachable as
 * `system.snapshots` and, in a component, as `this.ctx.snapshots`. With the default store they live
 * in memory; with `sqliteSnapshotStore` (`kompact-ts/sqlite`) they survive a crash of the process.
 *
 * @remarks
 * - `save` resolves once the snapshot is durable in the store (committed, and synced by a durable
 *   store). Per key, the last acknowledged save wins, and a save is never visible half-written.
 * - Group commit: saves made in the same turn share one `write` of the store (one transaction and one
 *   sync); a save made while the store has as many writes in flight as it takes
 *   (`maxWritesInFlight`, 1 by default; beyond two, only full batches go) joins the next one. Saves
 *   of one key before their commit keep only the last value (the earlier saves resolve with it).
 * - Saves are acknowledged in commit order. The saves of a large batch are acknowledged a slice at a
 *   time: once their savers' continuations have run for about a millisecond, the rest wait for the next
 *   turn of the event loop, so acknowledging a thousand saves does not hold timers and I/O back.
 * - The value is serialised when `save` is called, so later changes to it are not saved.
 * - A store failure rejects every save of that batch with a `KompactError` `SNAPSHOT_FAILED` whose
 *   `cause` is the store's error (also logged as a warning); the store is tried again with the next batch.
 * - `load` and `keys` wait for pending saves of what they read, so they never see a value that is not
 *   durable.
 * - At shutdown the system waits for pending saves and then closes the store; afterwards every call
 *   rejects with `SNAPSHOT_STORE_CLOSED`. Saves a store has not acknowledged when the shutdown grace
 *   period (`shutdownGraceMs`) is over reject with `SNAPSHOT_STORE_CLOSED` too.
 *
 * @example
 * ```ts
 * await this.ctx.snapshots.save('counter', { count: this.count });
 * const last = await this.ctx.snapshots.load<{ count: number }>('counter');
 * ```
 */
export class Snapshots {
  readonly #store: SnapshotStore;
  /** The store again when it takes packed batches (this package's stores), else undefined. */
  readonly #packedWriter: PackedWriter | undefined;
  readonly #logger: Logger;
  readonly #maxBatchSize: number;
  readonly #maxWritesInFlight: number;
  /** Batches not yet handed to the store, oldest first; saves join the last one. */
  readonly #waiting: Batch[] = [];
  /** Batches handed to the store and not settled yet, in the order they were handed over. */
  readonly #inFlight: Batch[] = [];
  readonly #releaser = new Releaser();
  /**
   * Where each key is in the last batch it was put into (an index into that batch's `keys`; a batch
   * checks that the key is there). One map for all batches, kept across them, rather than one per
   * batch: a map filled anew for every batch allocates its growing tables each time, and the pending
   * saves hold them through every scavenge. Emptied of settled keys once it is much larger than the
   * pending ones (see `#newBatch`).
   */
  readonly #positions = new Map<string, number>();
  /** Keys in batches not settled yet, and the most there ever were. */
  #pending = 0;
  #pendingPeak = 0;
  /** How many keys a new batch makes room for: a quarter more than the last committed batch held. */
  #capacity = SLICE_SIZE;
  /**
   * The keys and spans arrays of settled batches, for new ones: a batch of 100 saves would otherwise
   * allocate about 1 KB of keys array in the young generation, and scavenges come the sooner.
   */
  readonly #spareKeys: string[][] = [];
  readonly #spareSpans: Uint32Array[] = [];
  /** The notices arrays of released batches, for new ones (see `Batch.notices`). */
  readonly #spareNotices: unknown[][] = [];
  /**
   * The batch made last, kept after it settled so that one batch is always alive. V8 keeps the hidden
   * class of a class's instances (reached through transitions it holds weakly) only while an instance
   * lives, and throws away optimised code that embeds it when it goes: every full collection that
   * found no batch pending (an idle moment, or a benchmark collecting between runs) sent the whole save
   * path back to the interpreter. Its turns then ran 5-10 times slower until it was optimised again,
   * and a drain timed by the pace of its first turns overran its slice (B8a: lag p99 4.7-5.3 ms at
   * batch 1,000; 1.5-1.9 ms kept).
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written only, to keep the object alive
  #newest: Batch | undefined;
  #isCommitQueued = false;
  /** The first buffer size of a new batch's records: a quarter more than the last committed batch's. */
  #valueBytes = MIN_VALUE_BYTES;
  #closed: Promise<void> | undefined;
  /** Resolved by `abandon`: shutdown stops waiting for the store. */
  #abandoned: Promise<void> | undefined;
  #markAbandoned: (() => void) | undefined;
  readonly #commitNext = (): void => {
    this.#isCommitQueued = false;
    this.#pump();
  };
  readonly #written: OnWritten = (batch, isFailed, error) => this.#settle(batch, isFailed, error);

  /** A facade over `store`; each system makes its own over the store of its config. */
  constructor(store: SnapshotStore, logger: Logger) {
    this.#store = store;
    this.#packedWriter = packedWriterOf(store);
    this.#logger = logger;
    this.#maxBatchSize = positiveOr(store.maxBatchSize, DEFAULT_MAX_BATCH_SIZE);
    this.#maxWritesInFlight = positiveOr(store.maxWritesInFlight, DEFAULT_MAX_WRITES_IN_FLIGHT);
  }

  /** The store the snapshots are kept in. */
  get store(): SnapshotStore {
    return this.#store;
  }

  /**
   * Saves `value` under `key`; resolves once it is durable in the store.
   *
   * @param serialiser - how to turn `value` into bytes; default msgpack (plain objects, arrays, strings,
   * numbers, booleans, bigints, Dates, Sets and typed arrays round-trip).
   * @throws TypeError for a key that is not a non-empty string or a serialiser that is not one;
   * {@link SerialisationError} when `value` cannot be serialised (nothing is saved).
   * @returns rejects with `SNAPSHOT_FAILED` when the store fails, `SNAPSHOT_STORE_CLOSED` after shutdown.
   */
  save<T>(key: string, value: T, serialiser?: Serialiser<T>): Promise<void> {
    checkKey(key);
    const chosen = checkSerialiser(serialiser);
    if (this.#closed !== undefined) return Promise.reject(closedError(`save snapshot ${key}`));
    return this.#write(key, value, chosen);
  }

  /**
   * The value last saved under `key`, or `undefined` when there is none (or it was deleted).
   *
   * @param serialiser - the serialiser it was saved with (default msgpack).
   * @returns rejects with {@link SerialisationError} when the bytes were saved with another serialiser
   * or do not deserialise, `SNAPSHOT_FAILED` when the store fails.
   */
  async load<T = unknown>(key: string, serialiser?: Serialiser<T>): Promise<T | undefined> {
    checkKey(key);
    const chosen = checkSerialiser(serialiser);
    this.#assertOpen(`load snapshot ${key}`);
    await this.#settledWith(key);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.#store.load(key);
    } catch (error) {
      throw storeError(`Could not load snapshot ${key}`, error);
    }
    if (bytes === undefined) return undefined;
    if (bytes.length < HEADER_BYTES) {
      throw new SerialisationError(
        'invalid-data',
        chosen.serId,
        `Snapshot ${key} is ${bytes.length} bytes long, shorter than its ${HEADER_BYTES}-byte header`,
      );
    }
    const savedId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    if (savedId !== chosen.serId) {
      throw new SerialisationError(
        'invalid-data',
        chosen.serId,
        `Snapshot ${key} was saved with serId ${savedId}, not with the given serialiser's ${chosen.serId}`,
      );
    }
    return deserialiseFromBytes(chosen, bytes.subarray(HEADER_BYTES));
  }

  /** Deletes the snapshot under `key` (if any); resolves once the deletion is durable. */
  delete(key: string): Promise<void> {
    checkKey(key);
    if (this.#closed !== undefined) return Promise.reject(closedError(`delete snapshot ${key}`));
    let batch = this.#waiting.at(-1);
    if (batch === undefined || this.#isFull(batch, key)) {
      batch = this.#newBatch();
      this.#waiting.push(batch);
    }
    return this.#enqueue(batch, key, 0, DELETED);
  }

  /** The keys of the saved snapshots that start with `prefix` (all without one), after pending saves. */
  async *keys(prefix = ''): AsyncIterable<string> {
    if (typeof prefix !== 'string') {
      throw new TypeError(`Expected \`prefix\` to be a string, got ${describeValue(prefix)}`);
    }
    this.#assertOpen('list snapshot keys');
    await this.flush();
    try {
      for await (const key of this.#store.keys(prefix)) yield key;
    } catch (error) {
      throw storeError('Could not list snapshot keys', error);
    }
  }

  /** Resolves once every save and delete made so far has settled (committed or failed). */
  async flush(): Promise<void> {
    const last = this.#waiting.at(-1) ?? this.#inFlight.at(-1);
    if (last !== undefined) await last.done.catch(() => {});
  }

  static {
    // The system's shutdown reaches these through module functions, not public methods: a component
    // must not close its system's store.
    closeOf = (snapshots) => {
      snapshots.#closed ??= snapshots.#close();
      return snapshots.#closed;
    };
    abandonOf = (snapshots, reason) => snapshots.#abandon(reason);
    saveNotifyingOf = (snapshots, key, value, serialiser, listener, onSaved) =>
      snapshots.#saveNotifying(key, value, serialiser, listener, onSaved);
  }

  /**
   * `save`, told to `listener` with `onSaved` instead of through a promise (`ctx.saveSnapshot`). Bad
   * input throws, as `save`'s does; a save after shutdown is told as failed, never synchronously.
   */
  #saveNotifying<T, C>(
    key: string,
    value: T,
    serialiser: Serialiser<T> | undefined,
    listener: SaveListener<C>,
    onSaved: C,
  ): void {
    checkKey(key);
    const chosen = checkSerialiser(serialiser);
    if (this.#closed !== undefined) {
      const outcome = failedOutcome(closedError(`save snapshot ${key}`));
      void RESOLVED.then(() => listener.saveSettled(onSaved, outcome));
      return;
    }
    void this.#write(key, value, chosen);
    // The change went into the last waiting batch (its commit is a microtask away), in its last slice.
    (this.#waiting.at(-1) as Batch).notify(listener, onSaved);
  }

  /**
   * Writes `value`'s record into the last waiting batch (a new one when there is none or it is full)
   * and enqueues the change of `key` in it; the change's slice promise. Nothing is queued when `value`
   * does not serialise.
   */
  #write<T>(key: string, value: T, serialiser: Serialiser<T>): Promise<void> {
    let batch = this.#waiting.at(-1);
    const isNew = batch === undefined || this.#isFull(batch, key);
    if (isNew) batch = this.#newBatch();
    // The record goes straight into the batch's buffer: no bytes, view or change object of its own.
    const out = (batch as Batch).values;
    const offset = out.length;
    writeRecord(serialiser, value, out);
    // Pushed only now: a value that does not serialise leaves no empty batch behind.
    if (isNew) this.#waiting.push(batch as Batch);
    return this.#enqueue(batch as Batch, key, offset, out.length - offset);
  }

  #abandon(reason: string): void {
    const error = new KompactError('SNAPSHOT_STORE_CLOSED', `Snapshot not acknowledged: ${reason}`);
    const pending = [...this.#inFlight, ...this.#waiting];
    this.#waiting.length = 0;
    if (pending.length > 0) {
      this.#logger.warn(`${reason}; ${pending.length} batch(es) of snapshots were not acknowledged`);
    }
    // A batch whose write settles later finds its slices settled already: a no-op.
    for (const batch of pending) for (let i = 0; i < batch.slices.length; i++) batch.settleSlice(i, error);
    this.#markAbandoned?.();
  }

  async #close(): Promise<void> {
    this.#abandoned = new Promise((resolve) => {
      this.#markAbandoned = resolve;
    });
    await Promise.race([this.flush(), this.#abandoned]);
    const closing = (async () => {
      try {
        await this.#store.close();
      } catch (error) {
        this.#logger.warn({ err: error }, `Closing the snapshot store failed: ${describeThrown(error)}`);
      }
    })();
    await Promise.race([closing, this.#abandoned]);
  }

  /** Whether a change of `key` needs a batch after `batch`: it is full and has no change of `key`. */
  #isFull(batch: Batch, key: string): boolean {
    return batch.count >= this.#maxBatchSize && !batch.has(key);
  }

  /**
   * A new batch (the caller queues it). First, when `#positions` holds far more keys than were ever
   * pending at once, it forgets the settled ones: a system that saves ever new keys does not keep them
   * all, and one that saves the same keys over and over keeps their places (and never refills the map).
   */
  #newBatch(): Batch {
    const positions = this.#positions;
    if (positions.size > FORGET_ABOVE + 4 * this.#pendingPeak) {
      positions.clear();
      // Oldest first, so a key ends at its place in the newest batch that has it.
      for (const batches of [this.#inFlight, this.#waiting]) {
        for (const batch of batches) {
          for (let i = 0; i < batch.count; i++) positions.set(batch.keys[i] as string, i);
        }
      }
    }
    const keys = this.#spareKeys.pop() ?? new Array<string>(this.#capacity);
    const spans = this.#spareSpans.pop() ?? new Uint32Array(2 * this.#capacity);
    const batch = new Batch(positions, keys, spans, this.#valueBytes, this.#written, this.#spareNotices);
    this.#newest = batch;
    return batch;
  }

  /** Puts a change into `batch`, the last waiting one, and makes sure a commit follows; its promise. */
  #enqueue(batch: Batch, key: string, offset: number, length: number): Promise<void> {
    const count = batch.count;
    const saved = batch.put(key, offset, length);
    if (batch.count > count && ++this.#pending > this.#pendingPeak) this.#pendingPeak = this.#pending;
    if (!this.#isCommitQueued && this.#mayHandOver(batch)) {
      // After the current turn (and the rest of this drain of the scheduler): its saves join this batch.
      this.#isCommitQueued = true;
      void RESOLVED.then(this.#commitNext);
    }
    return saved;
  }

  /**
   * Whether `batch` may go to the store now: fewer than `maxWritesInFlight` writes are in flight, and,
   * beyond the first `PIPELINE_DEPTH` of them, only a full batch. A backlog of full batches then keeps
   * a store whose commits run elsewhere busy while the event loop is held up (a scavenge, a long turn),
   * and a batch that can still grow is not cut short: it waits for a write to settle.
   */
  #mayHandOver(batch: Batch): boolean {
    const inFlight = this.#inFlight.length;
    return (
      inFlight < this.#maxWritesInFlight && (inFlight < PIPELINE_DEPTH || batch.count >= this.#maxBatchSize)
    );
  }

  /** Hands waiting batches to the store, oldest first, while `#mayHandOver` lets it. */
  #pump(): void {
    for (;;) {
      const batch = this.#waiting[0];
      if (batch === undefined || !this.#mayHandOver(batch)) return;
      this.#waiting.shift();
      this.#inFlight.push(batch);
      this.#commit(batch);
    }
  }

  /**
   * Hands `batch` to the store; `#settle` runs when its write settled. No async function: with a
   * packed writer a write costs no promise, `await` or closure here (the batch is the store's settler).
   */
  #commit(batch: Batch): void {
    const { keys } = batch;
    keys.length = batch.count;
    this.#capacity = Math.min(this.#maxBatchSize, keys.length + (keys.length >> 2) + 1);
    const values = batch.values.finish();
    this.#valueBytes = Math.min(
      MAX_FIRST_VALUE_BYTES,
      Math.max(MIN_VALUE_BYTES, values.length + (values.length >> 2)),
    );
    const packed: PackedBatch = { keys, spans: batch.spans, values };
    if (this.#packedWriter !== undefined) {
      this.#packedWriter[writePacked](packed, batch);
      return;
    }
    let written: Promise<void>;
    try {
      written = this.#store.write(unpack(packed));
    } catch (error) {
      // A store whose `write` throws instead of rejecting: the same failure, settled as a rejection would be.
      written = Promise.reject(error);
    }
    written.then(
      () => batch.resolve(),
      (error: unknown) => batch.reject(error),
    );
  }

  /** `batch`'s write settled (failed with `error`, if `isFailed`): its saves are released, in commit order. */
  #settle(batch: Batch, isFailed: boolean, error: unknown): void {
    const { keys } = batch;
    if (isFailed) {
      const named = keys.slice(0, KEYS_NAMED);
      const more = keys.length > KEYS_NAMED ? ` and ${keys.length - KEYS_NAMED} more` : '';
      batch.failure = storeError(
        `Could not save ${keys.length} snapshot change(s) (${named.join(', ')}${more})`,
        error,
      );
      this.#logger.warn({ err: error }, batch.failure.message);
    }
    // Nothing reads a settled batch's keys or spans again (the store is done with them too: see
    // PackedWriter), so a later batch may fill them.
    if (this.#spareKeys.length < SPARE_ARRAYS) {
      this.#spareKeys.push(keys);
      this.#spareSpans.push(batch.spans);
    }
    const inFlight = this.#inFlight;
    // Writes settle in the order they were handed over, as a rule: then no `splice` (it makes an array).
    if (inFlight[0] === batch) inFlight.shift();
    else inFlight.splice(inFlight.indexOf(batch), 1);
    this.#pending -= batch.count;
    // What arrived during the commit goes at once (before the released saves run): it has waited one
    // commit already.
    this.#pump();
    this.#releaser.release(batch);
  }

  /** Waits for the last pending batch that changes `key`, if any (its failure is its savers' to see). */
  async #settledWith(key: string): Promise<void> {
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const batch = this.#waiting[i] as Batch;
      if (batch.has(key)) {
        await batch.done.catch(() => {});
        return;
      }
    }
    for (let i = this.#inFlight.length - 1; i >= 0; i--) {
      const batch = this.#inFlight[i] as Batch;
      if (batch.has(key)) {
        await batch.done.catch(() => {});
        return;
      }
    }
  }

  #assertOpen(action: string): void {
    if (this.#closed !== undefined) throw closedError(action);
  }
}

/**
 * Shutdown's step for snapshots (called by the system, not part of the package's API): takes no more
 * work, waits for what is pending, then closes the store. Called again, returns the same promise.
 */
export function closeSnapshots(snapshots: Snapshots): Promise<void> {
  return closeOf(snapshots);
}

/**
 * `ctx.saveSnapshot`'s step (called by a component's core, not part of the package's API): saves
 * `value` under `key` as `save` does, and once the save is acknowledged (or failed) calls
 * `listener.saveSettled(onSaved, outcome)`, once, never synchronously. No promise is made for it.
 *
 * @throws as `save` does for a bad key, serialiser or value (nothing is saved then).
 */
export const saveNotifying: SaveNotifying = (snapshots, key, value, serialiser, listener, onSaved) =>
  saveNotifyingOf(snapshots, key, value, serialiser, listener, onSaved);

/**
 * Shutdown waited long enough (called by the system, not part of the package's API): every save not yet
 * acknowledged is rejected with `SNAPSHOT_STORE_CLOSED` naming `reason`, and {@link closeSnapshots}
 * stops waiting for the store (a store whose write hangs cannot hold shutdown forever). What the store
 * still commits is not acknowledged.
 */
export function abandonSnapshots(snapshots: Snapshots, reason: string): void {
  abandonOf(snapshots, reason);
}

/**
 * Settles the slices of committed batches, in commit order. A slice's savers continue at once (their
 * continuations are microtasks); once they have run for `RELEASE_BUDGET_MS`, the next slice waits for
 * the next turn of the event loop, so timers and I/O run between the slices of a large batch instead of
 * after all of it. Small or cheap batches are released in one go. A batch committed while an earlier
 * one is still being released waits for it: saves are acknowledged in the order they were committed.
 *
 * The budget is a window of time shared by every release until the event loop has turned, not one per
 * batch: the store's acknowledgements arrive together (a worker's replies queued while the main thread
 * was busy are all delivered in one macrotask), and a budget per batch let the savers of dozens of
 * batches run back to back for several milliseconds without a timer tick.
 *
 * And one window per turn of the event loop, from timers to timers: a window opened by a release in
 * the poll phase (a reply of the store's worker) does not run on into a second one in the check phase
 * of the same turn. Two windows back to back were where B8a's gaps of 3 ms and more between two ticks
 * of a 1 ms timer came from when no GC ran in them (own time 2-3.7 ms against 1.1-1.2 ms with one).
 */
class Releaser {
  /** Batches whose slices are not all settled yet, in commit order; the first from its slice `#next`. */
  readonly #queue: (Batch | undefined)[] = [];
  #head = 0;
  #next = 0;
  #isRunning = false;
  /** When the current window of the budget opened. */
  #windowStart = Number.NEGATIVE_INFINITY;
  /**
   * Whether the event loop ran its timers since the window opened (a timer set when it opened, due when
   * the window is spent, has fired): then the next window may open.
   */
  #hasYielded = true;
  /** Runs after a slice's continuations: the next slice, now or in the next turn, or the end. */
  readonly #checkBudget = (): void => {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
      this.#isRunning = false;
    } else if (performance.now() - this.#windowStart < RELEASE_BUDGET_MS) this.#settleNext();
    else setImmediate(this.#resume);
  };
  /** Opens the next window, in a check phase of the event loop, once its timers have run since the last. */
  readonly #resume = (): void => {
    if (!this.#hasYielded) {
      // The last window opened in this turn of the loop (its poll phase): the next one waits for the
      // next turn, whose timers run first.
      setImmediate(this.#resume);
      return;
    }
    this.#windowStart = performance.now();
    this.#hasYielded = false;
    // Due when the window is spent (a timer's delay is at least 1 ms), so it fires in the timers phase
    // of the next turn. Unreferenced: the release itself keeps the loop alive while there is work.
    setTimeout(this.#markYielded, 1).unref();
    this.#settleNext();
  };
  readonly #markYielded = (): void => {
    this.#hasYielded = true;
  };

  release(batch: Batch): void {
    this.#queue.push(batch);
    if (this.#isRunning) return;
    this.#isRunning = true;
    if (performance.now() - this.#windowStart < RELEASE_BUDGET_MS) this.#settleNext();
    else if (this.#hasYielded) this.#resume();
    // The window is spent and the loop has not turned since: this batch waits for the next turn.
    else setImmediate(this.#resume);
  }

  #settleNext(): void {
    const batch = this.#queue[this.#head] as Batch;
    const index = this.#next++;
    if (this.#next === batch.slices.length) {
      // The batch is done with: its slot goes, so the queue does not keep it alive.
      this.#queue[this.#head++] = undefined;
      this.#next = 0;
    }
    batch.settleSlice(index, batch.failure);
    // Queued after the slice's continuations, so it runs once they have; until then a batch released
    // meanwhile (its write settled in the same turn) waits in the queue, and the time they took counts.
    void RESOLVED.then(this.#checkBudget);
  }
}

/**
 * Writes `value`'s snapshot record to `out`: the serialiser's serId (u32, so `load` can refuse another
 * serialiser's bytes), then its own bytes.
 *
 * @throws {@link SerialisationError} with the serialiser's serId when it throws.
 */
function writeRecord<T>(serialiser: Serialiser<T>, value: T, out: BufferWriter): void {
  const id = serialiser.serId;
  try {
    out.writeU32(id);
    serialiser.serialise(value, out);
  } catch (error) {
    throw serialiseError(error, id);
  }
}

/** What `serialiseToBytes` throws for `error`: a SerialisationError naming the serId. */
function serialiseError(error: unknown, id: SerId): SerialisationError {
  if (error instanceof SerialisationError && error.serId === id) return error;
  const isOwn = error instanceof SerialisationError;
  return new SerialisationError(
    isOwn ? error.reason : 'invalid-type',
    id,
    `Cannot serialise serId ${id}: ${isOwn ? error.message : describeThrown(error)}`,
    { cause: error },
  );
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`Expected \`key\` to be a non-empty string, got ${describeValue(key)}`);
  }
}

function checkSerialiser<T>(serialiser: Serialiser<T> | undefined): Serialiser<T> {
  if (serialiser === undefined) return DEFAULT_SERIALISER as Serialiser<T>;
  if (!isSerialiser(serialiser)) {
    throw new TypeError(`Expected \`serialiser\` to be a Serialiser, got ${describeValue(serialiser)}`);
  }
  return serialiser;
}

function closedError(action: string): KompactError {
  return new KompactError(
    'SNAPSHOT_STORE_CLOSED',
    `Cannot ${action}: the snapshot store is closed (its system shut down)`,
  );
}

function storeError(what: string, cause: unknown): KompactError {
  if (cause instanceof KompactError && cause.code === 'SNAPSHOT_STORE_CLOSED') return cause;
  return new KompactError('SNAPSHOT_FAILED', `${what}: ${describeThrown(cause)}`, { cause });
}
