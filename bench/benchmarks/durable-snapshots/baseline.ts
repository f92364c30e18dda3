import { createRequire } from 'node:module';
import type { Benchmark, Observations } from '../../infra/harness.js';
import type { SaveRateParams } from './params.js';
import { LoopLag, tempDatabase } from './temp-database.js';

// B8a's baselines: better-sqlite3 on its own, on the main thread, with the store's settings (WAL,
// synchronous = FULL, the same table) and the same rows (`c/<i>` keys, values as long as kompact-ts's
// records: a 4-byte serId header and `Serialisers.bytes`'s 4-byte length around the state). Transactions of
// `batch` upserts; between two transactions the loop yields (setImmediate), which is the "bounded
// batches on the event loop" design: its lag is what one commit and its sync block the loop for.

interface Statement {
  run(...params: unknown[]): unknown;
}
interface Database {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}

/** B8a with raw better-sqlite3: `batch` upserts per transaction, the loop yielding between them. */
export class RawSqliteSaveRate implements Benchmark<SaveRateParams> {
  #params: SaveRateParams | undefined;
  #database: ReturnType<typeof tempDatabase> | undefined;
  #db: Database | undefined;
  #transaction: ((from: number, count: number) => void) | undefined;
  readonly #lag = new LoopLag();
  #observations: Observations = {};

  setup(params: SaveRateParams): void {
    this.#params = params;
    this.#database = tempDatabase();
    const Driver = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Database;
    const db = new Driver(this.#database.file);
    this.#db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS kompact_snapshots (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID',
    );
    const upsert = db.prepare(
      'INSERT INTO kompact_snapshots (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    const { components } = params;
    const values: Buffer[] = [];
    for (let i = 0; i < components; i++) values.push(Buffer.alloc(params.bytes + 8, i & 0xff));
    const keys = values.map((_, i) => `c/${i}`);
    this.#transaction = db.transaction((from: number, count: number) => {
      for (let i = from; i < from + count; i++) upsert.run(keys[i % components], values[i % components]);
    });
  }

  prepareIteration(): void {
    this.#lag.start();
  }

  async runIteration(): Promise<void> {
    const { components, savesPerComponent, batch } = this.#params!;
    const total = components * savesPerComponent;
    const transaction = this.#transaction!;
    for (let done = 0; done < total; done += batch) {
      transaction(done, Math.min(batch, total - done));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  cleanupIteration(): void {
    this.#observations = this.#lag.stop();
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {
    this.#db?.close();
    this.#database?.remove();
  }
}
