/**
 * One change in a batch handed to {@link SnapshotStore.write}: the bytes to keep under a key, or the
 * removal of a key.
 */
export type SnapshotWrite =
  | { readonly kind: 'save'; readonly key: string; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly key: string };

/**
 * Where snapshots are kept: a map from string keys to bytes. kompact-ts ships two,
 * {@link memorySnapshotStore} (the default: nothing survives the process) and `sqliteSnapshotStore`
 * (`kompact-ts/sqlite`: survives a crash); implement this interface to keep snapshots elsewhere
 * (Postgres, Redis, a cloud key-value store).
 *
 * @remarks The contract, which the system's snapshot facade relies on:
 * - `write` applies every change of its batch or none of them (a transaction), and resolves only once
 *   they are durable: after a crash, a store that was opened again holds either all of them or, if
 *   `write` had not resolved, possibly none. Within a batch a key appears at most once.
 * - The facade calls `write` once at a time (the next batch waits for the previous one to settle),
 *   unless the store sets `maxWritesInFlight` above 1: then it must apply its writes in the order
 *   they were called (one connection, one queue). A rejection fails that batch only; the facade goes
 *   on with the next.
 * - `load` and `keys` see every batch whose `write` has resolved.
 * - Bytes handed to `write` belong to the store (it may keep them without copying); bytes returned by
 *   `load` belong to the caller.
 * - `close` releases the store's resources; the system calls it once, at shutdown, after the last
 *   `write` settled.
 *
 * Group commit (many saves sharing one `write`) is the facade's work, not the store's.
 *
 * @example
 * ```ts
 * // A sketch of a Postgres store (with `pg`): one transaction per batch.
 * const store: SnapshotStore = {
 *   maxBatchSize: 1000,
 *   async write(batch) {
 *     const client = await pool.connect();
 *     try {
 *       await client.query('BEGIN');
 *       for (const w of batch) {
 *         if (w.kind === 'save') await client.query(UPSERT, [w.key, w.bytes]);
 *         else await client.query('DELETE FROM snapshots WHERE key = $1', [w.key]);
 *       }
 *       await client.query('COMMIT');
 *     } catch (error) { await client.query('ROLLBACK'); throw error; }
 *     finally { client.release(); }
 *   },
 *   async load(key) { ... },
 *   async *keys(prefix = '') { ... },
 *   async close() { await pool.end(); },
 * };
 * ```
 */
export interface SnapshotStore {
  /**
   * The most changes the facade puts in one batch (default 1000): a bound on one transaction's size
   * and time.
   */
  readonly maxBatchSize?: number;
  /**
   * How many `write`s the facade may have in flight at once (default 1). Above 1 the store promises to
   * apply them in call order; it lets a store whose commit runs elsewhere (a thread, a server) take
   * the next batch while one commits. Beyond two in flight the facade hands over only full batches
   * (`maxBatchSize` changes), so a higher limit never makes batches smaller: it lets a backlog queue up.
   */
  readonly maxWritesInFlight?: number;
  /** Applies `batch` atomically and durably; rejects, changing nothing, when it cannot. */
  write(batch: readonly SnapshotWrite[]): Promise<void>;
  /** The bytes kept under `key`, or `undefined`. */
  load(key: string): Promise<Uint8Array | undefined>;
  /** The keys that start with `prefix` (every key without one), in any order. */
  keys(prefix?: string): AsyncIterable<string>;
  /** Releases the store; it is not used afterwards. */
  close(): Promise<void>;
}
