import { describeValue } from '../internal/describe-value.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import { isSerialiser } from '../serialisation/serialisers.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import type { KompactSystem } from '../system/kompact-system.js';

/**
 * The brand of a {@link WorkerDefinition}, shared by every copy of kompact-ts in the process (a worker
 * module and the runtime that loads it may come from different paths to the same package).
 */
const WORKER_DEFINITION: unique symbol = Symbol.for('kompact-ts.worker-definition') as never;

/**
 * What a worker module's setup function gets: the worker's own system, and the `data` given to
 * `spawnWorker` (a structured clone of it).
 */
export type WorkerSetup<Data = unknown> = (system: KompactSystem, data: Data) => void | Promise<void>;

/** Options of {@link defineWorker}. */
export interface WorkerDefinitionOptions<Data = unknown> {
  /**
   * The serialisers the worker's system accepts besides the built-in ones: the same ones the parent
   * uses for the messages it sends here (serialisers hold functions, so they cannot cross a thread;
   * the worker module imports them).
   */
  readonly serialisers?: readonly Serialiser<unknown>[];
  /**
   * Opens the snapshot store of the worker's system, in the worker thread, before its system is built
   * (a store holds a connection, so it cannot cross from the parent): e.g.
   * `(data) => sqliteSnapshotStore(data.file)`. A thread that is restarted opens it again, so its
   * components load what the last thread saved. Default: the memory store (nothing survives the thread).
   */
  readonly snapshotStore?: (data: Data) => SnapshotStore | Promise<SnapshotStore>;
}

/** A worker module's default export: made by {@link defineWorker}. */
export interface WorkerDefinition<Data = unknown> {
  readonly [WORKER_DEFINITION]: true;
  readonly setup: WorkerSetup<Data>;
  readonly serialisers: readonly Serialiser<unknown>[];
  readonly snapshotStore: ((data: Data) => SnapshotStore | Promise<SnapshotStore>) | undefined;
}

/**
 * Defines a worker module: `export default defineWorker(async (system, data) => { ... })`. The setup
 * runs in a new worker thread on a full `KompactSystem` built from the parent's configuration, and
 * creates, starts and registers components as any system does; `spawnWorker` resolves once it has
 * finished.
 *
 * Kompact: a `KompactSystem` per thread stands for Kompact's one system on a pool of threads; the
 * module is how components reach a thread, since JavaScript cannot move a closure to another one.
 *
 * @example
 * ```ts
 * export default defineWorker(async (system) => {
 *   const echo = system.create(() => new Echo());
 *   await system.startNotify(echo);
 *   await system.registerByAlias(echo, 'echo');
 * });
 * ```
 */
export function defineWorker<Data = unknown>(
  setup: WorkerSetup<Data>,
  options: WorkerDefinitionOptions<Data> = {},
): WorkerDefinition<Data> {
  if (typeof setup !== 'function') {
    throw new TypeError(`Expected \`setup\` to be a function, got ${describeValue(setup)}`);
  }
  const serialisers = options.serialisers ?? [];
  if (!Array.isArray(serialisers) || !serialisers.every(isSerialiser)) {
    throw new TypeError(
      `Expected \`options.serialisers\` to be an array of serialisers, got ${describeValue(serialisers)}`,
    );
  }
  const snapshotStore = options.snapshotStore;
  if (snapshotStore !== undefined && typeof snapshotStore !== 'function') {
    throw new TypeError(
      `Expected \`options.snapshotStore\` to be a function that opens a store, got ${describeValue(snapshotStore)}`,
    );
  }
  return Object.freeze({
    [WORKER_DEFINITION]: true as const,
    setup,
    serialisers: [...serialisers],
    snapshotStore,
  });
}

/** Whether `value` was made by {@link defineWorker}. */
export function isWorkerDefinition(value: unknown): value is WorkerDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<WorkerDefinition>)[WORKER_DEFINITION] === true
  );
}
