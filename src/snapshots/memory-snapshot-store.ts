import { KompactError } from '../internal/kompact-error.js';
import type { SnapshotStore, SnapshotWrite } from './snapshot-store.js';

/**
 * A {@link SnapshotStore} in memory: the default of every system. Snapshots outlive a component's
 * fault and restart, but not the process; for that, use `sqliteSnapshotStore` from `kompact-ts/sqlite`.
 *
 * @remarks Writes apply at once (nothing to sync), each batch in one step. After `close` every call
 * rejects with `SNAPSHOT_STORE_CLOSED`.
 *
 * @example
 * ```ts
 * const system = await KompactConfig.default().snapshotStore(memorySnapshotStore()).build();
 * ```
 */
export function memorySnapshotStore(): SnapshotStore {
  return new MemorySnapshotStore();
}

class MemorySnapshotStore implements SnapshotStore {
  readonly #entries = new Map<string, Uint8Array>();
  #isClosed = false;

  async write(batch: readonly SnapshotWrite[]): Promise<void> {
    this.#assertOpen();
    for (const change of batch) {
      // The facade hands over bytes of its own; a copy keeps a caller's later writes out regardless.
      if (change.kind === 'save') this.#entries.set(change.key, change.bytes.slice());
      else this.#entries.delete(change.key);
    }
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    return this.#entries.get(key)?.slice();
  }

  async *keys(prefix = ''): AsyncIterable<string> {
    this.#assertOpen();
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) yield key;
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    this.#entries.clear();
  }

  #assertOpen(): void {
    if (this.#isClosed) {
      throw new KompactError('SNAPSHOT_STORE_CLOSED', 'The memory snapshot store is closed');
    }
  }
}
