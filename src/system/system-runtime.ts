import type { Logger } from 'pino';
import type { ComponentCore } from '../component/component-core.js';
import type { ComponentHost } from '../component/component-host.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import { bindScheduler, isSchedulerAware } from '../internal/clock-binding.js';
import { NetMessage } from '../messaging/net-message.js';
import { NetworkLink } from '../net/network-link.js';
import type { ActorPath } from '../paths/actor-path.js';
import { SystemPath } from '../paths/system-path.js';
import { OffLoopPool } from '../runtime/off-loop-pool.js';
import { Scheduler } from '../runtime/scheduler.js';
import { memorySnapshotStore } from '../snapshots/memory-snapshot-store.js';
import { Snapshots } from '../snapshots/snapshots.js';
import { ComponentSupervisor } from '../supervision/component-supervisor.js';
import { Supervision } from '../supervision/supervision-events.js';
import { type Clock, SystemClock } from '../timer/clock.js';
import { TimerFacility } from '../timer/timer-facility.js';
import type { ThreadChannel } from '../workers/thread-channel.js';
import { ThreadLink } from '../workers/thread-link.js';
import type { WorkerSystem } from '../workers/worker-system.js';
import { Workers } from '../workers/workers.js';
import { Config } from './config.js';
import { type DeadLetterReason, DeadLetters } from './dead-letters.js';
import { defaultLogger } from './default-logger.js';
import type { RuntimeSettings } from './kompact-config.js';
import { LiveComponents } from './live-components.js';
import type { SystemHandle } from './system-handle.js';

/** The path of a system without a network: its paths are only reachable from inside it. */
const LOCAL_SYSTEM_PATH = new SystemPath('local', '127.0.0.1', 0);

/** The module a worker thread runs first: it builds the worker's system and loads the user's module. */
const WORKER_ENTRY = new URL('./worker-main.js', import.meta.url);

/**
 * @internal The internal services a system gives its components: scheduler, supervisor, clock and
 * timers, dispatcher, dead letters, and the set of live components that shutdown ends. The
 * `KompactSystem` is its public face; this is the `ComponentHost` its cores run on.
 */
export class SystemRuntime implements ComponentHost {
  readonly scheduler = new Scheduler();
  readonly supervisor: ComponentSupervisor;
  readonly clock: Clock;
  readonly timers: TimerFacility;
  readonly config: Config;
  readonly logger: Logger;
  readonly handle: SystemHandle;
  readonly throughput: number;
  readonly maxMessages: number;
  readonly shutdownGraceMs: number;
  readonly deadLetters: DeadLetters;
  readonly supervision: Supervision;
  /** The system's snapshots, over the configured store (in memory by default). */
  readonly snapshots: Snapshots;
  /** Every component not yet destroyed or recovered, for shutdown. */
  readonly live = new LiveComponents();
  /** The lookup table and router for actor paths; replaced once, by the networked one, while building. */
  dispatcher: Dispatcher;
  /** The network side, for a system with `network` config. */
  link: NetworkLink | undefined;
  /** The worker pool of `spawnOff` (nothing loaded or started until its first task). */
  readonly offLoop: OffLoopPool;
  /** Whether `group/*` and `group/?` work without a routing policy (`kompact.dispatch.implicit-routes`). */
  readonly implicitRoutes: boolean;
  /** The thread side: to the workers this system spawned, or, in a worker, to its parent. */
  threads: ThreadLink | undefined;
  /** The worker systems this system spawned, once it spawned one. */
  #workers: Workers | undefined;
  readonly #settings: RuntimeSettings;
  /** When the system was built, on its clock (its uptime, for the inspector). */
  readonly builtAtMs: number;

  constructor(settings: RuntimeSettings, handle: SystemHandle) {
    this.handle = handle;
    this.#settings = settings;
    this.clock = settings.clock ?? new SystemClock();
    this.scheduler.useClock(this.clock);
    if (isSchedulerAware(this.clock)) this.clock[bindScheduler](this.scheduler);
    this.timers = new TimerFacility(this.clock);
    this.builtAtMs = this.clock.now();
    this.config = new Config(settings.tree);
    this.logger = (settings.logger ?? defaultLogger({ level: settings.logLevel })).child({
      system: settings.label,
    });
    this.throughput = settings.throughput;
    this.maxMessages = Math.floor(settings.throughput * settings.messagePriority);
    this.shutdownGraceMs = settings.shutdownGraceMs;
    this.implicitRoutes = settings.implicitRoutes;
    this.deadLetters = new DeadLetters(this.logger, this.clock);
    this.snapshots = new Snapshots(settings.snapshotStore ?? memorySnapshotStore(), this.logger);
    this.supervision = new Supervision(this.logger, () => this.deadLetters.count);
    this.supervisor = new ComponentSupervisor({
      scheduler: this.scheduler,
      handle,
      logger: this.logger,
      clock: this.clock,
      supervision: this.supervision,
      recoveryBudgetMs: settings.recoveryBudgetMs,
      poison: () => this.onPoison?.(),
    });
    this.dispatcher = new Dispatcher(settings.systemPath ?? LOCAL_SYSTEM_PATH, this, settings.serialisers);
    this.offLoop = new OffLoopPool(settings.threads, this.logger);
  }

  /** In a worker system: every path that is not its own goes to the parent through `channel`. */
  connectParent(channel: ThreadChannel): ThreadLink {
    const link = new ThreadLink(this, this.logger);
    link.attach(this.dispatcher, this.link);
    link.connectParent(channel);
    this.threads = link;
    return link;
  }

  /** The workers this system spawned; the first call plugs the thread link in under the dispatcher. */
  get workers(): Workers {
    if (this.#workers === undefined) {
      const link = new ThreadLink(this, this.logger);
      link.attach(this.dispatcher, this.link);
      this.threads = link;
      const settings = this.#settings;
      this.#workers = new Workers({
        logger: this.logger,
        implicitRoutes: this.implicitRoutes,
        deadLetterToPath: (path, message, reason, detail) =>
          this.deadLetterToPath(path, message, reason, detail),
        clock: this.clock,
        supervision: this.supervision,
        link,
        entry: WORKER_ENTRY,
        shutdownGraceMs: this.shutdownGraceMs,
        settings: {
          label: settings.label,
          throughput: settings.throughput,
          messagePriority: settings.messagePriority,
          // The level in force (a custom logger's, or the environment's): worker lines match it.
          logLevel: this.logger.level as RuntimeSettings['logLevel'],
          recoveryBudgetMs: settings.recoveryBudgetMs,
          shutdownGraceMs: settings.shutdownGraceMs,
          implicitRoutes: settings.implicitRoutes,
          tree: settings.tree,
        },
      });
    }
    return this.#workers;
  }

  /** The worker systems this system spawned and has not terminated (none until its first spawn). */
  spawnedWorkers(): readonly WorkerSystem[] {
    return this.#workers?.list() ?? [];
  }

  /** Worker systems `spawnWorkers` starts without a `count` (`kompact.runtime.threads`). */
  get threadCount(): number {
    return this.#settings.threads;
  }

  /** Whether this is a worker system (made by `spawnWorker` in another thread). */
  get isWorker(): boolean {
    return this.#settings.systemPath !== undefined;
  }

  /** Ends every worker this system spawned; `undefined` when it spawned none. */
  endWorkers(): Promise<void> | undefined {
    return this.#workers?.shutdown();
  }

  /** Gives the system its network: listens, and routes paths through a networked dispatcher. */
  async openNetwork(settings: RuntimeSettings): Promise<void> {
    if (settings.network === undefined) return;
    const scheduler = this.scheduler;
    const link = await NetworkLink.open(settings.network, this, this.logger, this.clock, {
      start: () => scheduler.hold(),
      end: () => scheduler.release(),
    });
    this.link = link;
    this.dispatcher = new Dispatcher(link.systemPath, this, settings.serialisers);
    link.attach(this.dispatcher);
    this.logger.debug({ systemPath: link.systemPath.toString() }, 'Network listening');
  }

  deadLetterToPath(path: ActorPath, message: unknown, reason: DeadLetterReason, detail?: string): void {
    this.deadLetters.publishToPath(path, message, reason, detail);
  }

  deadLetter(recipient: ComponentCore, message: unknown, reason: DeadLetterReason): void {
    // A network message leaves its mailbox here too: it must not hold back its connection's acks.
    if (message instanceof NetMessage) message.release();
    this.deadLetters.publish(recipient.id, recipient.typeName, message, reason);
  }

  componentEnded(core: ComponentCore, state: 'faulty' | 'destroyed'): void {
    this.live.delete(core);
    this.dispatcher.forget(core, state);
    this.#resolveIfAllEnded();
  }

  #resolveIfAllEnded(): void {
    if (this.live.size === 0 && this.#onAllEnded !== undefined) {
      const resolve = this.#onAllEnded;
      this.#onAllEnded = undefined;
      resolve();
    }
  }

  #onAllEnded: (() => void) | undefined;

  /** What a fault of an unsupervised component does: the system kills itself (set by the system). */
  onPoison: (() => void) | undefined;

  /**
   * `killSystem`: ends every live component at once, without `onKill` and without waiting for what
   * it blocks on; no recovery runs.
   */
  destroyAll(): void {
    this.supervisor.beginShutdown();
    for (const core of this.live.toArray()) core.abandon(true);
  }

  /**
   * Ends every live component (kill for those ever asked to start, quiet destruction for the rest)
   * and resolves when none is left, faulted ones included once their fault was handled.
   */
  async endAll(): Promise<void> {
    this.supervisor.beginShutdown();
    const ended = new Promise<void>((resolve) => {
      this.#onAllEnded = resolve;
    });
    for (const core of this.live.toArray()) core.endForShutdown();
    this.#resolveIfAllEnded();
    if (this.live.size === 0) return ended;
    // A component blocked on something that never settles (or on this very shutdown) would hold
    // shutdown forever: after the grace period it is abandoned.
    const grace = this.clock.setTimer(() => {
      for (const core of this.live.toArray()) core.abandon();
    }, this.shutdownGraceMs);
    await ended;
    this.clock.clearTimer(grace);
  }
}
