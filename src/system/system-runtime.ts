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
import { ComponentSupervisor } from '../supervision/component-supervisor.js';
import { Supervision } from '../supervision/supervision-events.js';
import { type Clock, SystemClock } from '../timer/clock.js';
import { TimerFacility } from '../timer/timer-facility.js';
import { Config } from './config.js';
import { type DeadLetterReason, DeadLetters } from './dead-letters.js';
import { defaultLogger } from './default-logger.js';
import type { RuntimeSettings } from './kompact-config.js';
import type { SystemHandle } from './system-handle.js';

/** The path of a system without a network: its paths are only reachable from inside it. */
const LOCAL_SYSTEM_PATH = new SystemPath('local', '127.0.0.1', 0);

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
  /** Every component not yet destroyed or recovered, for shutdown. */
  readonly live = new Set<ComponentCore>();
  /** The lookup table and router for actor paths; replaced once, by the networked one, while building. */
  dispatcher: Dispatcher;
  /** The network side, for a system with `network` config. */
  link: NetworkLink | undefined;
  /** The worker pool of `spawnOff` (nothing loaded or started until its first task). */
  readonly offLoop: OffLoopPool;
  /** Whether `group/*` and `group/?` work without a routing policy (`kompact.dispatch.implicit-routes`). */
  readonly implicitRoutes: boolean;

  constructor(settings: RuntimeSettings, handle: SystemHandle) {
    this.handle = handle;
    this.clock = settings.clock ?? new SystemClock();
    if (isSchedulerAware(this.clock)) this.clock[bindScheduler](this.scheduler);
    this.timers = new TimerFacility(this.clock);
    this.config = new Config(settings.tree);
    this.logger = (settings.logger ?? defaultLogger({ level: settings.logLevel })).child({
      system: settings.label,
    });
    this.throughput = settings.throughput;
    this.maxMessages = Math.floor(settings.throughput * settings.messagePriority);
    this.shutdownGraceMs = settings.shutdownGraceMs;
    this.implicitRoutes = settings.implicitRoutes;
    this.deadLetters = new DeadLetters(this.logger, this.clock);
    this.supervision = new Supervision(this.logger, () => this.deadLetters.count);
    this.supervisor = new ComponentSupervisor({
      scheduler: this.scheduler,
      handle,
      logger: this.logger,
      clock: this.clock,
      supervision: this.supervision,
      recoveryBudgetMs: settings.recoveryBudgetMs,
    });
    this.dispatcher = new Dispatcher(LOCAL_SYSTEM_PATH, this, settings.serialisers);
    this.offLoop = new OffLoopPool(settings.threads, this.logger);
  }

  /** Gives the system its network: listens, and routes paths through a networked dispatcher. */
  async openNetwork(settings: RuntimeSettings): Promise<void> {
    if (settings.network === undefined) return;
    const link = await NetworkLink.open(settings.network, this, this.logger, this.clock);
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

  /**
   * Ends every live component (kill for those ever asked to start, quiet destruction for the rest)
   * and resolves when none is left, faulted ones included once their fault was handled.
   */
  async endAll(): Promise<void> {
    this.supervisor.beginShutdown();
    const ended = new Promise<void>((resolve) => {
      this.#onAllEnded = resolve;
    });
    for (const core of [...this.live]) core.endForShutdown();
    this.#resolveIfAllEnded();
    if (this.live.size === 0) return ended;
    // A component blocked on something that never settles (or on this very shutdown) would hold
    // shutdown forever: after the grace period it is abandoned.
    const grace = this.clock.setTimer(() => {
      for (const core of [...this.live]) core.abandon();
    }, this.shutdownGraceMs);
    await ended;
    this.clock.clearTimer(grace);
  }
}
