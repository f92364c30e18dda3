/**
 * Snapshots: the store interface, the in-memory store and the facade a system and its components
 * save through. The package root (`src/index.ts`) re-exports them; `kompact-ts/sqlite` adds a durable store.
 */

export { memorySnapshotStore } from './memory-snapshot-store.js';
export type { SnapshotStore, SnapshotWrite } from './snapshot-store.js';
export { type SaveOutcome, Snapshots } from './snapshots.js';
