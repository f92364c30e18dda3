// Helpers for the SQLite snapshot store's tests: a temp dir per test, a raw better-sqlite3 connection
// for checking (and locking) a database from outside the store, and the hook that hides the driver.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of better-sqlite3's API the tests use. */
export interface RawDatabase {
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(source: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): unknown;
}

/** Opens `file` with better-sqlite3 directly (not through kompact-ts). */
export function openRaw(file: string, options: { readonly?: boolean; timeout?: number } = {}): RawDatabase {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (
    file: string,
    options?: { readonly?: boolean; timeout?: number },
  ) => RawDatabase;
  return new Database(file, options);
}

/** Runs `body` with a fresh temp dir, removed afterwards whatever happens. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kompact-sqlite-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
