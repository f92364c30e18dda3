/**
 * The durable snapshot store on SQLite. Import from `kompact-ts/sqlite`; it needs the optional peer
 * dependency `better-sqlite3` (`npm install better-sqlite3@12`), which nothing else in kompact-ts loads.
 */

export type { SqliteSynchronous } from './protocol.js';
export { type SqliteSnapshotStoreOptions, sqliteSnapshotStore } from './sqlite-snapshot-store.js';
