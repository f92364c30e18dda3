import { MessageChannel, type ResourceLimits, Worker } from 'node:worker_threads';
import { type Logger, pino } from 'pino';
import type { ComponentDefinition } from '../component/component-definition.js';
import type { DispatchHost } from '../dispatch/dispatcher.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { KompactError } from '../internal/kompact-error.js';
import type { DataSink } from '../net/frame-decoder.js';
import type { SystemPath } from '../paths/system-path.js';
import type { ReplaceOptions } from '../supervision/fault.js';
import type { Supervision, WorkerFaultCause } from '../supervision/supervision-events.js';
import type { Clock, ClockTimer } from '../timer/clock.js';
import { type DefinitionClass, originOf } from './remotable.js';
import { type ComponentHome, RemoteComponent } from './remote-component.js';
import { isChannelMessage, ThreadChannel } from './thread-channel.js';
import type { ThreadLink, WorkerRoute } from './thread-link.js';
import type {
  ErrorReport,
  FromWorker,
  PeerPort,
  ToWorker,
  WorkerInit,
  WorkerSettings,
} from './worker-protocol.js';

/**
 * How a worker comes back after a fault: the shape of `replaceWith`'s options. Without it a worker that
 * faults stays down.
 */
export type WorkerRestart = ReplaceOptions;

/** Options of `system.spawnWorker`. */
export interface SpawnWorkerOptions {
  /** Handed to the setup function (a structured clone: plain data, no functions or class instances). */
  readonly data?: unknown;
  /** The worker's name in logs (field `worker`) and events. Default `worker-<n>`. */
  readonly name?: string;
  /** Restart the worker's thread after a fault, within these limits. */
  readonly restart?: WorkerRestart;
  /** Node's limits of the thread (heap sizes, stack); past them the thread faults (`out-of-memory`). */
  readonly resourceLimits?: ResourceLimits;
  /**
   * The OS scheduling priority of the worker's thread, as `os.setPriority` takes it: 0 (normal, the
   * default) to 19 (lowest; `os.constants.priority.PRIORITY_BELOW_NORMAL` is 10). Linux only (elsewhere
   * it is ignored, and a refusal is logged as a warning).
   *
   * @remarks When every core is busy with workers, the parent's thread waits for a core like any other:
   * its timers fire late and its sockets wait. A CPU-bound worker below normal priority gives the core
   * to the parent whenever the parent has work, and takes it back when the parent is idle, so it loses
   * nothing on an otherwise idle machine (it does lose to other processes' threads).
   */
  readonly threadPriority?: number;
}

/**
 * Where a worker is in its life: its thread is starting (setup running), up, down after a fault
 * (waiting for a restart, or for good without `restart`), given up after its restart limit, or
 * terminating / terminated on request.
 */
export type WorkerState = 'starting' | 'up' | 'down' | 'gave-up' | 'terminating' | 'terminated';

/** What a worker needs from the system that spawned it. */
export interface WorkerHost extends DispatchHost {
  readonly clock: Clock;
  readonly supervision: Supervision;
  readonly link: ThreadLink;
  /** The module every worker thread runs first (it builds the worker's system and loads the module). */
  readonly entry: URL;
  readonly settings: WorkerSettings;
  readonly shutdownGraceMs: number;
}

/** A request to the thread (create, lifecycle) waiting for its reply. */
interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const DEFAULT_WITHIN_MS = 5000;

let routeOfWorker: (worker: WorkerSystem) => WorkerRoute;
let threadOf: (worker: WorkerSystem) => Worker | undefined;
let flushTo: (worker: WorkerSystem) => void;
let startOf: (worker: WorkerSystem) => Promise<void>;

/** The route of `worker` as the thread link sees it. */
export function workerRoute(worker: WorkerSystem): WorkerRoute {
  return routeOfWorker(worker);
}

/** Starts a thread for `worker` and resolves when its setup has finished. */
export function startWorker(worker: WorkerSystem): Promise<void> {
  return startOf(worker);
}

/**
 * A worker system: a `KompactSystem` on its own thread, made by `system.spawnWorker`. Reach its
 * components by path (`${worker.systemPath()}/alias`), as if it were a remote system.
 *
 * Kompact: none (Kompact runs one system on a pool of threads); the nearest is a system reached
 * through its `SystemPath`.
 *
 * @remarks Its system path stays the same across restarts; its `threadId` is the current thread's.
 */
export class WorkerSystem {
  /** The worker's name (field `worker` in its log lines). */
  readonly name: string;
  readonly #systemPath: SystemPath;
  readonly #moduleUrl: string;
  readonly #options: SpawnWorkerOptions;
  readonly #host: WorkerHost;
  readonly #logger: Logger;
  #state: WorkerState = 'starting';
  #thread: Worker | undefined;
  #threadId = -1;
  /** What the link routes by; `channel` is a field, not a getter (the link reads it per message). */
  readonly #route: {
    readonly systemPath: SystemPath;
    channel: ThreadChannel | undefined;
    readonly downDetail: string;
  };
  #downDetail = 'starting';
  readonly #pending = new Map<number, Pending>();
  #nextRequest = 1;
  /** Start times of the restarts within the window. */
  readonly #restarts: number[] = [];
  #restartCount = 0;
  #restartTimer: ClockTimer | undefined;
  #terminated: Promise<void> | undefined;
  #onExit: (() => void) | undefined;
  /** The other workers of the same system: siblings get direct ports to each other. */
  readonly #siblings: () => Iterable<WorkerSystem>;

  static {
    routeOfWorker = (worker) => worker.#route;
    threadOf = (worker) => worker.#thread;
    flushTo = (worker) => worker.#route.channel?.flush();
    startOf = (worker) => worker.#start();
  }

  /** Made by `spawnWorker`. */
  constructor(
    host: WorkerHost,
    moduleUrl: string,
    systemPath: SystemPath,
    name: string,
    options: SpawnWorkerOptions,
    siblings: () => Iterable<WorkerSystem>,
  ) {
    this.#host = host;
    this.#siblings = siblings;
    this.#moduleUrl = moduleUrl;
    this.#systemPath = systemPath;
    this.name = name;
    this.#options = options;
    this.#logger = host.logger.child({ worker: name });
    const self = this;
    this.#route = {
      systemPath,
      channel: undefined,
      get downDetail() {
        return `worker ${self.name} is ${self.#downDetail}`;
      },
    };
    host.link.addWorker(this.#route);
  }

  /** The worker system's address, `thread://worker:<n>`; the same after a restart. Kompact: `system_path`. */
  systemPath(): SystemPath {
    return this.#systemPath;
  }

  /** The id of the worker's current thread (a new one after each restart). */
  get threadId(): number {
    return this.#threadId;
  }

  /** Where the worker is in its life. */
  get state(): WorkerState {
    return this.#state;
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.#restartCount;
  }

  /**
   * Shuts the worker's system down (with its grace period, as `shutdown` does for any system) and ends
   * its thread; a thread that has not ended after the grace period is terminated, and that is logged.
   * Calling it again returns the same promise.
   */
  terminate(): Promise<void> {
    this.#terminated ??= this.#terminate();
    return this.#terminated;
  }

  #start(): Promise<void> {
    const host = this.#host;
    this.#state = 'starting';
    this.#downDetail = 'starting';
    // A direct port to every sibling whose thread runs: siblings then skip the parent's relay.
    const peers: PeerPort[] = [];
    const theirs: { readonly thread: Worker; readonly port: PeerPort['port'] }[] = [];
    for (const sibling of this.#siblings()) {
      const siblingThread = threadOf(sibling);
      if (sibling === this || siblingThread === undefined) continue;
      const { port1, port2 } = new MessageChannel();
      peers.push({ systemPath: sibling.systemPath().toString(), port: port1 });
      theirs.push({ thread: siblingThread, port: port2 });
    }
    let thread: Worker;
    try {
      thread = new Worker(host.entry, {
        workerData: {
          moduleUrl: this.#moduleUrl,
          name: this.name,
          systemPath: this.#systemPath.toString(),
          settings: host.settings,
          data: this.#options.data,
          peers,
          threadPriority: this.#options.threadPriority,
        } satisfies WorkerInit,
        transferList: peers.map((peer) => peer.port),
        ...(this.#options.resourceLimits === undefined
          ? {}
          : { resourceLimits: this.#options.resourceLimits }),
      });
    } catch (error) {
      // `data` that structured clone refuses (a function, a symbol), or bad limits.
      this.#state = 'down';
      this.#downDetail = 'down (it could not be started)';
      return Promise.reject(
        new KompactError(
          'SERIALISATION_FAILED',
          `Cannot start worker ${this.name}: ${describeThrown(error)} (\`data\` must be structured-cloneable)`,
          { cause: error },
        ),
      );
    }
    this.#thread = thread;
    this.#threadId = thread.threadId;
    const self = this.#systemPath.toString();
    for (const { thread: siblingThread, port } of theirs) {
      siblingThread.postMessage({ kind: 'peer', systemPath: self, port } satisfies ToWorker, [port]);
    }
    // Frames sent while the setup runs wait in the thread until it has finished.
    const channel = new ThreadChannel(thread);
    this.#route.channel = channel;
    const destination = destinationOf(host.logger);
    let failure: WorkerFaultCause | undefined;
    return new Promise<void>((resolve, reject) => {
      let isReady = false;
      thread.on('message', (message: FromWorker) => {
        if (isChannelMessage(message)) {
          channel.receive(message, this.#sink);
          return;
        }
        switch (message.kind) {
          case 'log':
            destination.write(message.line.endsWith('\n') ? message.line : `${message.line}\n`);
            break;
          case 'ready':
            isReady = true;
            // A terminate() called while the setup ran stays in charge.
            if (this.#state === 'starting') this.#state = 'up';
            resolve();
            break;
          case 'setup-failed':
            failure = { kind: 'exit', exitCode: 1 };
            reject(new KompactError(message.error.code, message.error.message));
            break;
          case 'shut-down':
            break;
          case 'switched':
            this.#switched(message.to);
            break;
          case 'reply':
            this.#settle(message.requestId, (pending) => pending.resolve(message.value));
            break;
          case 'failed':
            this.#settle(message.requestId, (pending) => pending.reject(fromReport(message.error)));
            break;
        }
      });
      thread.on('error', (error: Error & { code?: string }) => {
        failure ??=
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { kind: 'out-of-memory', error }
            : { kind: 'uncaught', error };
        if (!isReady) {
          reject(
            new KompactError(
              'WORKER_SETUP_FAILED',
              `Worker ${this.name} (${this.#moduleUrl}) failed before its setup finished: ${describeThrown(error)}`,
              { cause: error },
            ),
          );
        }
      });
      thread.on('exit', (exitCode) => {
        if (this.#thread !== thread) return;
        this.#thread = undefined;
        const dropped = channel.close();
        if (this.#route.channel === channel) this.#route.channel = undefined;
        this.#rejectPending(`worker ${this.name}'s thread ended`);
        this.#tellSiblingsGone();
        if (this.#state === 'terminating') {
          if (!isReady) {
            reject(
              new KompactError('WORKER_DOWN', `Worker ${this.name} was terminated before its setup finished`),
            );
          }
          this.#onExit?.();
          return;
        }
        if (!isReady) {
          // A restart whose setup failed has already given up (the rejection ran first).
          if (this.#state === 'starting') {
            this.#state = 'down';
            this.#downDetail = 'down (its setup failed)';
          }
          reject(
            new KompactError(
              'WORKER_SETUP_FAILED',
              `Worker ${this.name} (${this.#moduleUrl}) ended with exit code ${exitCode} before its setup finished`,
            ),
          );
          return;
        }
        this.#faulted(failure ?? { kind: 'exit', exitCode }, dropped);
      });
    });
  }

  /**
   * Creates a component of `definitionClass` (made creatable with `remotable`) on this worker, with
   * `args` (structured clones), registered under its unique path; resolves with its handle. It is
   * passive until started (`handle.startNotify()`).
   *
   * Kompact: `system.create`, on another thread.
   *
   * @remarks Rejects with `NOT_REMOTABLE` for a class that is not remotable, `SERIALISATION_FAILED`
   * for arguments that cannot be cloned, `WORKER_DOWN` when the worker is not up.
   */
  async create<C extends DefinitionClass<ComponentDefinition<unknown>>>(
    definitionClass: C,
    ...args: ConstructorParameters<C>
  ): Promise<RemoteComponent<InstanceType<C>>> {
    const { moduleUrl, exportName } = originOf(definitionClass);
    const reply = (await this.#request((requestId) => ({
      kind: 'create',
      requestId,
      moduleUrl,
      exportName,
      args,
    }))) as { readonly componentId: string; readonly path: string };
    const home: ComponentHome = {
      name: this.name,
      lifecycle: (componentId, action) =>
        this.#request((requestId) => ({ kind: 'lifecycle', requestId, componentId, action })),
    };
    return new RemoteComponent<InstanceType<C>>(home, reply.componentId, reply.path);
  }

  /**
   * Sends a request to the thread and resolves with its reply; rejects with `WORKER_DOWN` if the thread
   * is not up or ends first.
   */
  #request(message: (requestId: number) => ToWorker): Promise<unknown> {
    const thread = this.#thread;
    if (thread === undefined || this.#state !== 'up') {
      return Promise.reject(
        new KompactError(
          'WORKER_DOWN',
          `Worker ${this.name} is ${this.#downDetail}: cannot send it a request`,
        ),
      );
    }
    const requestId = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      // Frames sent before the request must arrive first (a request may depend on them).
      this.#route.channel?.flush();
      try {
        thread.postMessage(message(requestId));
      } catch (error) {
        this.#pending.delete(requestId);
        reject(
          new KompactError(
            'SERIALISATION_FAILED',
            `Cannot send a request to worker ${this.name}: ${describeThrown(error)}`,
            { cause: error },
          ),
        );
      }
    });
  }

  /** Where decoded frames from the thread go: the parent's link, which delivers or forwards them. */
  readonly #sink: DataSink = {
    data: (serId, sender, receiver, chunk, offset, length): void =>
      this.#host.link.received(serId, sender, receiver, chunk, offset, length),
  };

  /**
   * This worker now sends to sibling `to` directly: once the frames it relayed to `to` before (already
   * here, in `to`'s channel) are posted, `to` may deliver what arrives on the direct port.
   */
  #switched(to: string): void {
    for (const sibling of this.#siblings()) {
      if (sibling.systemPath().toString() !== to) continue;
      const siblingThread = threadOf(sibling);
      if (siblingThread === undefined) return;
      flushTo(sibling);
      siblingThread.postMessage({
        kind: 'switched-from',
        from: this.#systemPath.toString(),
      } satisfies ToWorker);
      return;
    }
  }

  /** This worker's thread ended: its siblings' direct ports to it are dead. */
  #tellSiblingsGone(): void {
    const message: ToWorker = { kind: 'peer-gone', systemPath: this.#systemPath.toString() };
    for (const sibling of this.#siblings()) {
      if (sibling !== this) threadOf(sibling)?.postMessage(message);
    }
  }

  #settle(requestId: number, settle: (pending: Pending) => void): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    this.#pending.delete(requestId);
    settle(pending);
  }

  #rejectPending(why: string): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new KompactError('WORKER_DOWN', `Request to worker ${this.name} dropped: ${why}`));
    }
    this.#pending.clear();
  }

  #faulted(cause: WorkerFaultCause, dropped: number): void {
    const host = this.#host;
    const description = describeCause(cause);
    const restart = this.#options.restart;
    const now = host.clock.now();
    const withinMs = restart?.withinMs ?? DEFAULT_WITHIN_MS;
    while (this.#restarts.length > 0 && now - (this.#restarts[0] as number) > withinMs)
      this.#restarts.shift();
    const maxRestarts = restart?.maxRestarts;
    const willRestart =
      restart !== undefined && (maxRestarts === undefined || this.#restarts.length < maxRestarts);
    this.#state = 'down';
    this.#downDetail = willRestart ? 'down (restarting)' : 'down (faulted)';
    this.#logger.error(
      { err: cause.kind === 'exit' ? undefined : cause.error, threadId: this.#threadId, dropped },
      `Worker ${this.name} faulted: ${description}${dropped > 0 ? ` (${dropped} messages to it were lost)` : ''}`,
    );
    if (host.supervision.record('worker-fault')) {
      host.supervision.publish({
        kind: 'worker-fault',
        worker: this.name,
        systemPath: this.#systemPath,
        threadId: this.#threadId,
        cause,
        description,
        willRestart,
      });
    }
    if (restart === undefined) return;
    if (!willRestart) {
      this.#giveUp(`its restart limit (${String(maxRestarts)} within ${withinMs} ms) was reached`);
      return;
    }
    const backoff = restart.backoff;
    const delayMs =
      backoff === undefined
        ? 0
        : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** this.#restarts.length);
    this.#restarts.push(now);
    this.#restartTimer = host.clock.setTimer(() => {
      this.#restartTimer = undefined;
      if (this.#state !== 'down') return;
      this.#start().then(
        () => {
          this.#restartCount++;
          this.#logger.info({ threadId: this.#threadId }, `Worker ${this.name} restarted`);
          if (host.supervision.record('worker-restarted')) {
            host.supervision.publish({
              kind: 'worker-restarted',
              worker: this.name,
              systemPath: this.#systemPath,
              threadId: this.#threadId,
              restarts: this.#restartCount,
            });
          }
        },
        (error: unknown) => {
          if (this.#state === 'terminating' || this.#state === 'terminated') return;
          this.#giveUp(`its module failed on a restart: ${describeThrown(error)}`);
        },
      );
    }, delayMs);
  }

  #giveUp(description: string): void {
    const host = this.#host;
    this.#state = 'gave-up';
    this.#downDetail = 'down (given up)';
    this.#logger.error(`Worker ${this.name} stays down: ${description}`);
    if (host.supervision.record('worker-gave-up')) {
      host.supervision.publish({
        kind: 'worker-gave-up',
        worker: this.name,
        systemPath: this.#systemPath,
        restarts: this.#restarts.length,
        withinMs: this.#options.restart?.withinMs ?? DEFAULT_WITHIN_MS,
        description,
      });
    }
  }

  async #terminate(): Promise<void> {
    const previous = this.#state;
    this.#state = 'terminating';
    this.#downDetail = 'terminated';
    if (this.#restartTimer !== undefined) {
      this.#host.clock.clearTimer(this.#restartTimer);
      this.#restartTimer = undefined;
    }
    const thread = this.#thread;
    if (thread !== undefined) {
      const exited = new Promise<void>((resolve) => {
        this.#onExit = resolve;
      });
      this.#route.channel?.flush();
      if (previous === 'up') thread.postMessage({ kind: 'shutdown' } satisfies ToWorker);
      const graceMs = previous === 'up' ? this.#host.shutdownGraceMs : 0;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      const outcome = await Promise.race([exited.then(() => 'ended' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        if (previous === 'up') {
          this.#logger.warn(
            { threadId: this.#threadId, graceMs },
            `Worker ${this.name} did not end within ${graceMs} ms of its shutdown; its thread is terminated`,
          );
        }
        await thread.terminate();
        await exited;
      }
    }
    this.#state = 'terminated';
  }
}

/** The destination a pino logger writes its lines to: worker lines are written there as they are. */
function destinationOf(logger: Logger): { write(line: string): void } {
  return (logger as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym] as {
    write(line: string): void;
  };
}

/** Rebuilds a failure told by the thread. */
function fromReport(report: ErrorReport): KompactError {
  return new KompactError(report.code, report.message);
}

/** One line on why a thread ended. */
function describeCause(cause: WorkerFaultCause): string {
  switch (cause.kind) {
    case 'uncaught':
      return `an uncaught exception or unhandled rejection: ${describeThrown(cause.error)}`;
    case 'exit':
      return `its thread exited with code ${cause.exitCode}`;
    case 'out-of-memory':
      return `its thread ran out of memory (resourceLimits): ${describeThrown(cause.error)}`;
  }
}
