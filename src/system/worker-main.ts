// The first module of every worker thread: builds the worker's KompactSystem from the parent's
// settings, loads the user's worker module and runs its setup, then carries frames and requests
// between the parent and the worker's system until the parent asks it to shut down.
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { describeThrown } from '../internal/describe-thrown.js';
import { KompactError, type KompactErrorCode } from '../internal/kompact-error.js';
import { SystemPath } from '../paths/system-path.js';
import { SerialiserRegistry } from '../serialisation/serialiser-registry.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import { isWorkerDefinition, type WorkerDefinition } from '../workers/define-worker.js';
import { ThreadChannel } from '../workers/thread-channel.js';
import type { ThreadLink } from '../workers/thread-link.js';
import type { ErrorReport, FromWorker, ToWorker, WorkerInit } from '../workers/worker-protocol.js';
import { buildSystem, connectToParent, type KompactSystem } from './kompact-system.js';
import { createOnWorker, lifecycleOnWorker } from './worker-components.js';

const port = parentPort;
if (port === null) throw new Error('worker-main.js runs only as a worker thread (made by spawnWorker)');
const init = workerData as WorkerInit;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function report(code: KompactErrorCode, error: unknown, what: string): ErrorReport {
  if (error instanceof KompactError) return { code: error.code, message: error.message };
  return { code, message: `${what}: ${describeThrown(error)}` };
}

// Worker log lines go to the parent, which writes them to its own logger's destination as they are.
const logger = pino(
  { level: init.settings.logLevel },
  { write: (line: string) => post({ kind: 'log', line }) },
).child({ worker: init.name });

const channel = new ThreadChannel(port);
let link: ThreadLink | undefined;
let system: KompactSystem | undefined;
/** Frames that arrived before the setup finished: the services they are for may not exist yet. */
let early: ArrayBuffer[] | undefined = [];
let isShuttingDown = false;

const sink = {
  data: (...args: Parameters<ThreadLink['received']>): void => link?.received(...args),
};

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'frames':
      if (early !== undefined) early.push(message.bytes);
      else channel.receive(message.bytes, sink);
      break;
    case 'shutdown':
      void shutdown();
      break;
    case 'create':
    case 'lifecycle':
      void answer(message);
      break;
  }
});

async function answer(message: Extract<ToWorker, { kind: 'create' | 'lifecycle' }>): Promise<void> {
  try {
    if (system === undefined) throw new KompactError('WORKER_DOWN', 'The worker system is not up');
    const value =
      message.kind === 'create'
        ? await createOnWorker(system, message.moduleUrl, message.exportName, message.args)
        : await lifecycleOnWorker(system, message.componentId, message.action);
    channel.flush();
    post({ kind: 'reply', requestId: message.requestId, value });
  } catch (error) {
    channel.flush();
    post({
      kind: 'failed',
      requestId: message.requestId,
      error: report('WORKER_SETUP_FAILED', error, `${message.kind} failed`),
    });
  }
}

async function shutdown(): Promise<void> {
  if (isShuttingDown) return;
  isShuttingDown = true;
  await system?.shutdown();
  channel.flush();
  channel.close();
  post({ kind: 'shut-down' });
  // Nothing else holds the thread: it ends once the port is closed.
  port?.close();
}

async function start(): Promise<void> {
  let definition: WorkerDefinition;
  try {
    const loaded = (await import(init.moduleUrl)) as { default?: unknown };
    if (!isWorkerDefinition(loaded.default)) {
      throw new KompactError(
        'WORKER_MODULE_INVALID',
        `Worker module ${init.moduleUrl} has no default export made by defineWorker (export default defineWorker(async (system, data) => { ... }))`,
      );
    }
    definition = loaded.default;
  } catch (error) {
    post({
      kind: 'setup-failed',
      error: report('WORKER_MODULE_INVALID', error, `Cannot load worker module ${init.moduleUrl}`),
    });
    port?.close();
    return;
  }
  let snapshotStore: SnapshotStore | undefined;
  try {
    snapshotStore = await definition.snapshotStore?.(init.data);
  } catch (error) {
    post({
      kind: 'setup-failed',
      error: report('WORKER_SETUP_FAILED', error, `The snapshot store of worker ${init.name} did not open`),
    });
    port?.close();
    return;
  }
  const settings = init.settings;
  system = await buildSystem({
    ...settings,
    label: `${settings.label}/${init.name}`,
    logger,
    clock: undefined,
    network: undefined,
    inspector: undefined, // the parent's inspector shows its workers' faults
    // A store cannot cross threads: the worker module opens its own (or gets the memory store).
    snapshotStore,
    threads: 1,
    systemPath: SystemPath.parse(init.systemPath),
    serialisers: new SerialiserRegistry().registerAll([...definition.serialisers]),
    warnings: [],
  });
  link = connectToParent(system, channel);
  try {
    await definition.setup(system, init.data);
  } catch (error) {
    post({
      kind: 'setup-failed',
      error: report('WORKER_SETUP_FAILED', error, `The setup of worker ${init.name} threw`),
    });
    await system.shutdown();
    port?.close();
    return;
  }
  const waiting = early ?? [];
  early = undefined;
  for (const bytes of waiting) channel.receive(bytes, sink);
  post({ kind: 'ready' });
}

void start();
