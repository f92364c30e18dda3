// The first module of every worker thread: builds the worker's KompactSystem from the parent's
// settings, loads the user's worker module and runs its setup, then carries frames and requests
// between the parent and the worker's system until the parent asks it to shut down.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { describeThrown } from '../internal/describe-thrown.js';
import { KompactError, type KompactErrorCode } from '../internal/kompact-error.js';
import type { DataSink } from '../net/frame-decoder.js';
import { SystemPath } from '../paths/system-path.js';
import { SerialiserRegistry } from '../serialisation/serialiser-registry.js';
import type { SnapshotStore } from '../snapshots/snapshot-store.js';
import { isWorkerDefinition, type WorkerDefinition } from '../workers/define-worker.js';
import { type ChannelMessage, isChannelMessage, ThreadChannel } from '../workers/thread-channel.js';
import type { ThreadLink } from '../workers/thread-link.js';
import type { ErrorReport, FromWorker, PeerPort, ToWorker, WorkerInit } from '../workers/worker-protocol.js';
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

setThreadPriority(init.threadPriority);

/**
 * Lowers this thread's OS scheduling priority. Linux keeps a nice value per thread and
 * `os.setPriority` passes its id to setpriority(2) as it is, so the thread's own id changes this
 * thread alone; other systems would change the whole process, so they are left alone.
 */
function setThreadPriority(priority: number | undefined): void {
  if (priority === undefined || priority === 0 || process.platform !== 'linux') return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, priority);
  } catch (error) {
    logger.warn({ err: error }, `Cannot set the thread priority ${priority}: ${describeThrown(error)}`);
  }
}

const channel = new ThreadChannel(port);
let link: ThreadLink | undefined;
let system: KompactSystem | undefined;
/** Frames that arrived before the setup finished: the services they are for may not exist yet. */
let early: [ThreadChannel, ChannelMessage][] | undefined = [];
let isShuttingDown = false;

const sink: DataSink = {
  data(serId, sender, receiver, chunk, offset, length): void {
    link?.received(serId, sender, receiver, chunk, offset, length);
  },
};

/**
 * A direct port to a sibling. What the sibling sends on it is `held` until the parent says everything
 * it relayed from that sibling has arrived (`switched-from`), so the pair's messages stay in order.
 */
interface Peer {
  readonly port: MessagePort;
  readonly channel: ThreadChannel;
  held: ChannelMessage[] | undefined;
}

const peers = new Map<string, Peer>();

/** Frames from a sibling's direct port, or from the parent: delivered once the setup has finished. */
function receive(from: ThreadChannel, message: ChannelMessage): void {
  if (early !== undefined) early.push([from, message]);
  else from.receive(message, sink);
}

function addPeer({ systemPath, port: peerPort }: PeerPort, isHeld: boolean): void {
  peers.get(systemPath)?.port.close();
  const peer: Peer = { port: peerPort, channel: new ThreadChannel(peerPort), held: isHeld ? [] : undefined };
  peers.set(systemPath, peer);
  peerPort.on('message', (message: ChannelMessage) => {
    if (peer.held !== undefined) peer.held.push(message);
    else receive(peer.channel, message);
  });
  link?.addPeer(systemPath, peer.channel);
}

function removePeer(systemPath: string): void {
  const peer = peers.get(systemPath);
  if (peer === undefined) return;
  peers.delete(systemPath);
  link?.removePeer(systemPath);
  peer.port.close();
}

port.on('message', (message: ToWorker) => {
  if (isChannelMessage(message)) {
    receive(channel, message);
    return;
  }
  switch (message.kind) {
    case 'peer':
      // A sibling that just started: what this thread relayed to it is in the parent's hands; flush
      // it, tell the parent, and send directly from now on.
      channel.flush();
      post({ kind: 'switched', to: message.systemPath });
      addPeer(message, false);
      break;
    case 'peer-gone':
      removePeer(message.systemPath);
      break;
    case 'switched-from': {
      const peer = peers.get(message.from);
      const held = peer?.held;
      if (peer === undefined || held === undefined) break;
      peer.held = undefined;
      for (const message of held) receive(peer.channel, message);
      break;
    }
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
  for (const systemPath of [...peers.keys()]) removePeer(systemPath);
  post({ kind: 'shut-down' });
  // Nothing else holds the thread: it ends once the port is closed.
  port?.close();
}

// Siblings already up when this thread started: send to them directly from the start (nothing was
// relayed to them from this thread), and hold what they send until they have switched too.
for (const peer of init.peers) addPeer(peer, true);

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
  for (const [systemPath, peer] of peers) link.addPeer(systemPath, peer.channel);
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
  for (const [from, message] of waiting) from.receive(message, sink);
  post({ kind: 'ready' });
}

void start();
