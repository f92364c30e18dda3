// The worker thread of a SQLite snapshot store: it owns the one connection to the database file and
// runs every transaction, so a commit's sync (an fsync of the WAL, milliseconds and sometimes tens of
// them) never blocks the event loop of the system that saves. Requests are handled in arrival order.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { PackedBatch } from '../snapshots/packed-batch.js';
import { type ChangeSink, forEachChange } from './batch-codec.js';
import { toWorkerError, type WorkerReply, type WorkerRequest, type WorkerSettings } from './protocol.js';

/** The part of better-sqlite3's API this worker uses (its own types are not a dependency). */
interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  pluck(): Statement;
  all(...params: unknown[]): unknown[];
}
interface Database {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}
type DatabaseConstructor = new (file: string, options?: { timeout?: number }) => Database;

const OPS: ReadonlySet<unknown> = new Set<WorkerRequest['op']>(['write', 'load', 'keys', 'close']);
const port = parentPort;
if (port === null) throw new Error('sqlite-worker.js runs as a worker thread of a SQLite snapshot store');
const settings = workerData as WorkerSettings;

function post(reply: WorkerReply): void {
  (port as NonNullable<typeof port>).postMessage(reply);
}

function loadDriver(): DatabaseConstructor | undefined {
  try {
    // Loaded here only, so that an application without this store never loads the native module.
    return createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  } catch (error) {
    post({ kind: 'open-failed', isMissing: true, error: toWorkerError(error) });
    return undefined;
  }
}

function open(Driver: DatabaseConstructor): Database | undefined {
  let db: Database | undefined;
  try {
    db = new Driver(settings.file, { timeout: settings.busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${settings.synchronous}`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS "${settings.table}" (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID`,
    );
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // The open failed already; that is the error to report.
    }
    post({ kind: 'open-failed', isMissing: false, error: toWorkerError(error) });
    return undefined;
  }
}

const Driver = loadDriver();
const db = Driver === undefined ? undefined : open(Driver);
if (db === undefined) {
  port.close();
} else {
  const table = `"${settings.table}"`;
  // One statement per number of rows, prepared when first needed (at most ROWS_PER_UPSERT of them).
  const upserts: Statement[] = [];
  const upsertOf = (rows: number): Statement =>
    (upserts[rows] ??= (db as Database).prepare(
      `INSERT INTO ${table} (key, value) VALUES ${new Array<string>(rows).fill('(?, ?)').join(', ')} ` +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ));
  const remove = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
  const select = db.prepare(`SELECT value FROM ${table} WHERE key = ?`).pluck();
  const listAll = db.prepare(`SELECT key FROM ${table}`).pluck();
  // `substr(key, 1, n) = prefix` compares bytes of text exactly (LIKE would treat % and _ as patterns).
  const listPrefix = db.prepare(`SELECT key FROM ${table} WHERE substr(key, 1, length(@p)) = @p`).pluck();
  post({ kind: 'ready' });
  const sink: ChangeSink = {
    save: (params, rows) => {
      upsertOf(rows).run(params);
    },
    remove: (key) => {
      remove.run(key);
    },
  };
  const write = db.transaction((batch: PackedBatch) => forEachChange(batch, sink));

  port.on('message', (request: WorkerRequest) => {
    // A message that is no request cannot be answered (it has no id): a bug in the store, so the thread
    // fails loudly (an uncaught error), and the store rejects what it had pending instead of waiting.
    if (!OPS.has((request as { op?: unknown } | null)?.op)) {
      throw new TypeError(`The SQLite snapshot worker got a message that is no request: ${String(request)}`);
    }
    try {
      switch (request.op) {
        case 'write':
          write(request.batch);
          post({ kind: 'done', id: request.id });
          break;
        case 'load': {
          const value = select.get(request.key);
          if (value === undefined) post({ kind: 'done', id: request.id });
          else post({ kind: 'done', id: request.id, value: value as Uint8Array });
          break;
        }
        case 'keys': {
          const keys = (
            request.prefix === '' ? listAll.all() : listPrefix.all({ p: request.prefix })
          ) as string[];
          post({ kind: 'done', id: request.id, value: keys });
          break;
        }
        case 'close':
          db.close();
          post({ kind: 'done', id: request.id });
          port.close();
          break;
      }
    } catch (error) {
      post({ kind: 'failed', id: request.id, error: toWorkerError(error) });
    }
  });
}
