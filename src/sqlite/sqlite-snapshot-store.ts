import { Worker } from 'node:worker_threads';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import {
  type PackedBatch,
  type PackedWriter,
  pack,
  type WriteSettler,
  writePacked,
} from '../snapshots/packed-batch.js';
import type { SnapshotStore, SnapshotWrite } from '../snapshots/snapshot-store.js';
import {
  fromWorkerError,
  type SqliteSynchronous,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSettings,
} from './protocol.js';

/** The command that installs the driver, named by the error when it is missing. */
const INSTALL_COMMAND = 'npm install better-sqlite3@12';
/**
 * Writes in flight at once. Two keep both threads busy (one prepares and acknowledges, one commits);
 * beyond two the facade sends only full batches, so a backlog queues up to eight in the worker and its
 * commits go on while the event loop is held up (a scavenge of the main thread's heap, a long turn).
 * Not more: 64 batches of 100 in flight (tried) kept the worker busier still, but on a quiet machine the
 * saturated main thread then ran longer between ticks of the event loop (B8a's lag p99 at batch 100
 * 8.1-10.4 ms against 5.1-6.1 ms with eight, at the same throughput within noise).
 */
const WRITES_IN_FLIGHT = 8;
/**
 * A batch's records buffer of at least this many bytes is moved to the worker (transferred), not
 * copied. Measured (a batch posted to a worker and its reply): at 1,000 saves of 72 bytes a batch cost
 * the main thread 42–44 µs moved against 69–70 µs copied, and the worker 46–47 against 82–95 µs; at
 * 100 saves no difference, since moving a buffer has a fixed cost that copying a small one does not.
 */
const TRANSFER_FROM_BYTES = 16 * 1024;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'EXTRA', 'NORMAL'];
const OPTION_NAMES: readonly string[] = ['synchronous', 'table', 'busyTimeoutMs', 'maxBatchSize'];
/** Settles a request that cannot be posted after the caller returned (a settler is never called synchronously). */
const RESOLVED = Promise.resolve();

/** Options of {@link sqliteSnapshotStore}. */
export interface SqliteSnapshotStoreOptions {
  /**
   * SQLite's `synchronous` pragma. `FULL` (the default) syncs the write-ahead log at every commit, so
   * an acknowledged save survives a crash of the process and of the machine. `NORMAL` syncs only at
   * checkpoints: faster, and it still survives a crash of the process, but the last commits may be lost
   * when the machine loses power. `EXTRA` also syncs the directory.
   */
  readonly synchronous?: SqliteSynchronous;
  /** The table the snapshots are kept in, created when missing: a plain SQL name. Default `kompact_snapshots`. */
  readonly table?: string;
  /** How long (milliseconds) a commit waits for another connection's lock before it fails. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** The most saves in one transaction. Default 1000. */
  readonly maxBatchSize?: number;
}

/**
 * A durable {@link SnapshotStore} in a SQLite database file, on `better-sqlite3` (an optional peer
 * dependency: `npm install better-sqlite3@12`). Snapshots acknowledged by `save` survive a crash
 * (`SIGKILL`) of the process.
 *
 * @remarks The database runs in WAL mode with `synchronous = FULL` (see
 * {@link SqliteSnapshotStoreOptions.synchronous}), one table `key TEXT PRIMARY KEY, value BLOB`. All
 * of its work is done by one worker thread that owns the connection: each batch of saves is one
 * transaction and one sync there, so the event loop never waits for a disk. The worker is released when
 * the store closes (at its system's shutdown); while the store is idle it does not keep the process
 * alive.
 *
 * @param file - the database file, created when missing (`':memory:'` for a database without a file).
 * @throws TypeError for invalid arguments.
 * @returns rejects with {@link KompactError} `DEPENDENCY_MISSING` when better-sqlite3 is not installed or
 * cannot be loaded (the message names the install command), `SNAPSHOT_FAILED` when the database cannot
 * be opened (not a database, locked, a directory that does not exist).
 *
 * @example
 * ```ts
 * import { KompactConfig } from 'kompact-ts';
 * import { sqliteSnapshotStore } from 'kompact-ts/sqlite';
 *
 * const system = await KompactConfig.default()
 *   .snapshotStore(await sqliteSnapshotStore('state.db'))
 *   .build();
 * ```
 */
export async function sqliteSnapshotStore(
  file: string,
  options: SqliteSnapshotStoreOptions = {},
): Promise<SnapshotStore> {
  const settings = checkOptions(file, options);
  try {
    import.meta.resolve('better-sqlite3');
  } catch (error) {
    throw missingDriver(describeThrown(error), error);
  }
  return new SqliteSnapshotStore(await startWorker(settings), settings);
}

/** Starts a worker thread on `settings.file` and waits until its connection is open. */
async function startWorker(settings: StoreSettings): Promise<Worker> {
  const { file } = settings;
  const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData: settings });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      worker.off('error', onError);
      worker.off('message', onMessage);
      if (reply.kind === 'ready') {
        resolve();
        return;
      }
      if (reply.kind === 'open-failed') {
        const cause = fromWorkerError(reply.error);
        reject(
          reply.isMissing
            ? missingDriver(reply.error.message, cause)
            : new KompactError(
                'SNAPSHOT_FAILED',
                `Could not open the snapshot database ${file}: ${reply.error.message}`,
                { cause },
              ),
        );
        return;
      }
      reject(new Error(`The SQLite snapshot worker sent ${reply.kind} before it was ready`));
    };
    const onError = (error: unknown): void => {
      worker.off('message', onMessage);
      reject(
        new KompactError(
          'SNAPSHOT_FAILED',
          `Could not open the snapshot database ${file}: ${describeThrown(error)}`,
          { cause: error },
        ),
      );
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
  });
  return worker;
}

/** What a store is made with: the worker's settings and the batch bound. */
type StoreSettings = WorkerSettings & { readonly maxBatchSize: number };

/** What waits for the worker's reply to a request: a promise's resolvers, or the facade's batch (a {@link WriteSettler}). */
interface Waiting {
  resolve(value: Uint8Array | readonly string[] | undefined): void;
  reject(error: Error): void;
}

/** A request made while the worker was being started again, posted once it is ready. */
interface Held {
  readonly request: WorkerRequest;
  readonly waiting: Waiting;
}

/**
 * The worker thread's state: `running`, or `dead` (it exited or failed; the next request starts a new
 * one once the old one has exited), `restarting` (requests are held until it is ready), `closed`.
 */
type Connection =
  | { readonly kind: 'running'; readonly worker: Worker; readonly exited: Promise<void> }
  | { readonly kind: 'dead'; readonly exited: Promise<void> }
  | { readonly kind: 'restarting'; readonly held: Held[] }
  | { readonly kind: 'closed'; readonly error: KompactError };

// A store's worker, for tests that kill it (set by the constructor; not part of the package's API).
const workers = new WeakMap<SnapshotStore, () => Worker | undefined>();

/**
 * The worker thread `store` runs its connection in right now, if it is a SQLite store with a running
 * worker. For tests of a dying worker; not part of the package's API.
 */
export function sqliteWorkerOf(store: SnapshotStore): Worker | undefined {
  return workers.get(store)?.();
}

class SqliteSnapshotStore implements SnapshotStore, PackedWriter {
  readonly maxBatchSize: number;
  /** The worker takes requests in order, one queue: the next batch is packed while one commits. */
  readonly maxWritesInFlight = WRITES_IN_FLIGHT;
  readonly #settings: StoreSettings;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #connection: Connection;

  constructor(worker: Worker, settings: StoreSettings) {
    this.#settings = settings;
    this.maxBatchSize = settings.maxBatchSize;
    this.#connection = this.#adopt(worker);
    workers.set(this, () => (this.#connection.kind === 'running' ? this.#connection.worker : undefined));
  }

  write(batch: readonly SnapshotWrite[]): Promise<void> {
    return new Promise((resolve, reject) => this[writePacked](pack(batch), { resolve, reject }));
  }

  /**
   * The facade's batches, as it packed them; `settler` is the facade's batch itself, so a write makes
   * no promise (one message object is all it allocates here).
   */
  [writePacked](batch: PackedBatch, settler: WriteSettler): void {
    if (batch.keys.length === 0) {
      void RESOLVED.then(() => settler.resolve());
      return;
    }
    // Its records buffer belongs to this write (see PackedBatch): a large one is moved to the worker.
    this.#send({ op: 'write', id: 0, batch }, settler);
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    const value = await this.#request({ op: 'load', id: 0, key });
    return value as Uint8Array | undefined;
  }

  async *keys(prefix = ''): AsyncIterable<string> {
    const keys = (await this.#request({ op: 'keys', id: 0, prefix })) as readonly string[];
    yield* keys;
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    if (connection.kind === 'closed') return;
    if (connection.kind === 'running') {
      try {
        await this.#request({ op: 'close', id: 0 });
      } catch {
        // The worker died while closing: its connection is gone with it, which is what close wanted.
      }
      // Held until the worker is gone: unreferenced, it would let the process end before 'exit'.
      connection.worker.ref();
      await connection.exited;
    } else if (connection.kind === 'dead') {
      await connection.exited;
    }
    this.#end({ kind: 'closed', error: closedError(this.#settings.file) }, closedError(this.#settings.file));
  }

  /** Listens to a ready worker: its replies, its death. */
  #adopt(worker: Worker): Connection {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: WorkerReply) => this.#settle(reply));
    // Node emits 'error' (an uncaught exception in the thread) and then 'exit'; either one ends it.
    worker.on('error', (error) => this.#died(worker, exited, `failed: ${describeThrown(error)}`, error));
    worker.on('exit', (code) => this.#died(worker, exited, `exited with code ${code}`, undefined));
    // Idle, the worker does not hold the process open; a request refs it until its reply.
    worker.unref();
    return { kind: 'running', worker, exited };
  }

  #died(worker: Worker, exited: Promise<void>, how: string, cause: unknown): void {
    const connection = this.#connection;
    if (connection.kind !== 'running' || connection.worker !== worker) return;
    const error = new KompactError(
      'SNAPSHOT_FAILED',
      `The worker thread of the snapshot database ${this.#settings.file} ${how}; ` +
        'what it had not acknowledged is not saved (the next request starts a new thread)',
      { cause: cause ?? new Error(`worker thread ${how}`) },
    );
    this.#end({ kind: 'dead', exited }, error);
  }

  /** Moves to `next`, rejecting every request the worker had not answered with `error`. */
  #end(next: Connection, error: KompactError): void {
    this.#connection = next;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const request of waiting) request.reject(error);
  }

  #request(request: WorkerRequest): Promise<Uint8Array | readonly string[] | undefined> {
    return new Promise((resolve, reject) => this.#send(request, { resolve, reject }));
  }

  /** Posts `request` (or holds it while a worker starts); `waiting` is settled by its reply, never synchronously. */
  #send(request: WorkerRequest, waiting: Waiting): void {
    const connection = this.#connection;
    switch (connection.kind) {
      case 'running':
        this.#post(connection.worker, request, waiting);
        return;
      case 'closed':
        void RESOLVED.then(() => waiting.reject(connection.error));
        return;
      case 'restarting':
        connection.held.push({ request, waiting });
        return;
      case 'dead': {
        const held: Held[] = [{ request, waiting }];
        this.#connection = { kind: 'restarting', held };
        void this.#restart(connection.exited, held);
        return;
      }
    }
  }

  /** A new worker once the dead one has exited (so two connections never write at once); then the held requests, in order. */
  async #restart(exited: Promise<void>, held: Held[]): Promise<void> {
    let worker: Worker;
    try {
      await exited;
      worker = await startWorker(this.#settings);
    } catch (error) {
      const failure = new KompactError(
        'SNAPSHOT_FAILED',
        `Could not start a new worker thread for the snapshot database ${this.#settings.file}: ` +
          describeThrown(error),
        { cause: error },
      );
      if (this.#connection.kind === 'restarting')
        this.#connection = { kind: 'dead', exited: Promise.resolve() };
      for (const { waiting } of held) waiting.reject(failure);
      return;
    }
    if (this.#connection.kind !== 'restarting') {
      // Closed meanwhile (close does not wait for a restart): this worker is not needed.
      void worker.terminate();
      for (const { waiting } of held) waiting.reject(closedError(this.#settings.file));
      return;
    }
    const connection = this.#adopt(worker);
    this.#connection = connection;
    for (const { request, waiting } of held) this.#post(worker, request, waiting);
  }

  #post(worker: Worker, request: WorkerRequest, waiting: Waiting): void {
    // The request is posted as it is, its id set now: no copy of it per post.
    const id = this.#nextId++;
    request.id = id;
    if (this.#waiting.size === 0) worker.ref();
    this.#waiting.set(id, waiting);
    worker.postMessage(request, transferOf(request));
  }

  #settle(reply: WorkerReply): void {
    if (reply.kind !== 'done' && reply.kind !== 'failed') return;
    const waiting = this.#waiting.get(reply.id);
    if (waiting === undefined) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0 && this.#connection.kind === 'running') this.#connection.worker.unref();
    if (reply.kind === 'done') {
      waiting.resolve(reply.value);
      return;
    }
    // SQLite's own error (its `code` kept): the snapshot facade wraps it, naming the keys.
    waiting.reject(fromWorkerError(reply.error));
  }
}

/**
 * What to move rather than copy when posting `request`: a write's records buffer once it is large
 * (`TRANSFER_FROM_BYTES`). The buffer is the batch's alone (see PackedBatch) and nothing reads it once
 * it is posted; a held request is posted, and so moved, once only.
 */
function transferOf(request: WorkerRequest): ArrayBuffer[] | undefined {
  if (request.op !== 'write') return undefined;
  const { buffer } = request.batch.values;
  return buffer instanceof ArrayBuffer && buffer.byteLength >= TRANSFER_FROM_BYTES ? [buffer] : undefined;
}

function closedError(file: string): KompactError {
  return new KompactError('SNAPSHOT_STORE_CLOSED', `The snapshot database ${file} is closed`);
}

function missingDriver(detail: string, cause: unknown): KompactError {
  return new KompactError(
    'DEPENDENCY_MISSING',
    `kompact-ts/sqlite needs the better-sqlite3 package (version 12), an optional peer dependency that ` +
      `could not be loaded (${detail}). Install it with \`${INSTALL_COMMAND}\``,
    { cause },
  );
}

function checkOptions(file: unknown, options: unknown): StoreSettings {
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(`Expected \`file\` to be a non-empty file path, got ${describeValue(file)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name)) {
      throw new TypeError(
        `Unknown option \`${name}\` of sqliteSnapshotStore; the options are ${OPTION_NAMES.join(', ')}`,
      );
    }
  }
  const {
    synchronous = 'FULL',
    table = 'kompact_snapshots',
    busyTimeoutMs = 5000,
    maxBatchSize = 1000,
  } = options as SqliteSnapshotStoreOptions;
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw new TypeError(
      `Expected \`options.synchronous\` to be one of ${SYNCHRONOUS.join(', ')}, got ${describeValue(synchronous)}`,
    );
  }
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new TypeError(
      `Expected \`options.table\` to be a plain SQL name (letters, digits, _), got ${describeValue(table)}`,
    );
  }
  if (typeof busyTimeoutMs !== 'number' || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TypeError(
      `Expected \`options.busyTimeoutMs\` to be an integer from 0 and up, got ${describeValue(busyTimeoutMs)}`,
    );
  }
  if (typeof maxBatchSize !== 'number' || !Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new TypeError(
      `Expected \`options.maxBatchSize\` to be an integer from 1 and up, got ${describeValue(maxBatchSize)}`,
    );
  }
  return { file, table, synchronous, busyTimeoutMs, maxBatchSize };
}
