import { type Logger, pino } from 'pino';
import { Component, coreOf } from '../component/component.js';
import { ComponentCore } from '../component/component-core.js';
import { ComponentDefinition } from '../component/component-definition.js';
import type { ComponentHost } from '../component/component-host.js';
import { constructFor } from '../component/creation.js';
import { bindScheduler, isSchedulerAware } from '../internal/clock-binding.js';
import { ProvidedPort, RequiredPort } from '../ports/port-ends.js';
import { Scheduler } from '../runtime/scheduler.js';
import { ComponentSupervisor } from '../supervision/component-supervisor.js';
import { Supervision } from '../supervision/supervision-events.js';
import { type Clock, SystemClock } from '../timer/clock.js';
import { ScheduledTimer } from '../timer/scheduled-timer.js';
import { TimerFacility } from '../timer/timer-facility.js';
import { Config } from './config.js';
import { type DeadLetterReason, DeadLetters } from './dead-letters.js';
import type { RuntimeSettings } from './kompact-config.js';
import { KompactError } from './kompact-error.js';
import type { SystemHandle } from './system-handle.js';

/** Where a system is in its life. */
export type SystemState = 'active' | 'shutting-down' | 'terminated';

type AnyComponent = Component<ComponentDefinition<unknown>>;

/** The internal services a system gives its components. */
class SystemRuntime implements ComponentHost {
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

  constructor(settings: RuntimeSettings, handle: SystemHandle) {
    this.handle = handle;
    this.clock = settings.clock ?? new SystemClock();
    if (isSchedulerAware(this.clock)) this.clock[bindScheduler](this.scheduler);
    this.timers = new TimerFacility(this.clock);
    this.config = new Config(settings.tree);
    this.logger = (settings.logger ?? pino({ level: settings.logLevel }, pino.destination(2))).child({
      system: settings.label,
    });
    this.throughput = settings.throughput;
    this.maxMessages = Math.floor(settings.throughput * settings.messagePriority);
    this.shutdownGraceMs = settings.shutdownGraceMs;
    this.deadLetters = new DeadLetters(this.logger, this.clock);
    this.supervision = new Supervision(this.logger, () => this.deadLetters.count);
    this.supervisor = new ComponentSupervisor({
      scheduler: this.scheduler,
      handle,
      logger: this.logger,
      clock: this.clock,
      supervision: this.supervision,
      recoveryBudgetMs: settings.recoveryBudgetMs,
      onEnded: (core) => this.componentEnded(core),
    });
  }

  deadLetter(recipient: ComponentCore, message: unknown, reason: DeadLetterReason): void {
    this.deadLetters.publish(recipient.id, recipient.typeName, message, reason);
  }

  componentEnded(core: ComponentCore): void {
    this.live.delete(core);
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

/**
 * A running kompact-ts system: it creates components, drives their lifecycle, runs them on its
 * scheduler, supervises them, and shuts down. Made by `KompactConfig.default().build()`.
 *
 * Kompact: `KompactSystem`.
 *
 * @example
 * ```ts
 * const system = await KompactConfig.default().build();
 * const hello = system.create(() => new HelloWorld());
 * await system.startNotify(hello);
 * await system.shutdown();
 * ```
 */
export class KompactSystem implements SystemHandle {
  /** The system's label (config `kompact.runtime.label`). */
  readonly label: string;
  readonly #runtime: SystemRuntime;
  #state: SystemState = 'active';
  #shutdown: Promise<void> | undefined;
  readonly #terminated: Promise<void>;
  #markTerminated!: () => void;

  /** @internal Use `KompactConfig.build`. */
  constructor(settings: RuntimeSettings) {
    this.label = settings.label;
    this.#runtime = new SystemRuntime(settings, this);
    this.#terminated = new Promise((resolve) => {
      this.#markTerminated = resolve;
    });
  }

  /** The merged configuration. */
  get config(): Config {
    return this.#runtime.config;
  }

  /** The system's root logger (field `system` = the label). */
  get logger(): Logger {
    return this.#runtime.logger;
  }

  /** Messages that could not be delivered: a count, a rate-limited warning, and subscribers. */
  get deadLetters(): DeadLetters {
    return this.#runtime.deadLetters;
  }

  /** Supervision events (`fault`, `recovered`, `recovery-failed`, `recovery-slow`, `gave-up`) and counters. */
  get supervision(): Supervision {
    return this.#runtime.supervision;
  }

  /** Where the system is in its life: `active`, `shutting-down` or `terminated`. */
  get state(): SystemState {
    return this.#state;
  }

  /** Handler calls per component turn. Kompact: `throughput()`. */
  get throughput(): number {
    return this.#runtime.throughput;
  }

  /** Actor messages per turn before port events: floor(throughput × message-priority). Kompact: `max_messages()`. */
  get maxMessages(): number {
    return this.#runtime.maxMessages;
  }

  /** Milliseconds on the system's clock. Kompact: `now()`. */
  now(): number {
    return this.#runtime.clock.now();
  }

  /**
   * Creates a component from `factory`, which must construct a new definition (`() => new X(...)`).
   * The component is passive: messages sent to it queue until it is started.
   *
   * Kompact: `create`.
   */
  create<D extends ComponentDefinition<unknown>>(factory: () => D): Component<D> {
    this.#assertAccepting('create a component');
    if (typeof factory !== 'function') {
      throw new TypeError(
        `Expected \`factory\` to be a function returning a new component definition, got ${typeof factory}`,
      );
    }
    const core = new ComponentCore(this.#runtime);
    const definition: unknown = constructFor(core, factory);
    if (!(definition instanceof ComponentDefinition) || (definition.ctx as unknown) !== core) {
      throw new TypeError(
        'Expected `factory` to return a ComponentDefinition constructed inside it, e.g. () => new MyComponent()',
      );
    }
    this.#runtime.live.add(core);
    return new Component<D>(core);
  }

  /** Starts `component` (again after a stop); returns at once. Kompact: `start`. */
  start(component: AnyComponent): void {
    this.#assertAccepting('start a component');
    this.#usable(component, 'start').requestStart();
  }

  /** Stops (pauses) `component`: it queues work without handling it. Kompact: `stop`. */
  stop(component: AnyComponent): void {
    this.#assertAccepting('stop a component');
    this.#usable(component, 'stop').requestStop();
  }

  /**
   * Kills `component`: `onKill` runs, then it is destroyed and what it had queued becomes dead
   * letters. Killing a destroyed or faulty component does nothing. Kompact: `kill`.
   */
  kill(component: AnyComponent): void {
    this.#assertNotTerminated('kill a component');
    const core = this.#own(component);
    if (core.state === 'active' || core.state === 'passive') core.requestKill();
  }

  /** Starts `component`; resolves once `onStart` (and what it blocked on) completed. Kompact: `start_notify`. */
  async startNotify(component: AnyComponent): Promise<void> {
    this.#assertAccepting('start a component');
    const core = this.#usable(component, 'start');
    const done = new Promise<void>((resolve, reject) => core.listen('start', { resolve, reject }));
    core.requestStart();
    return done;
  }

  /** Stops `component`; resolves once `onStop` completed. Works for never-started components. Kompact: `stop_notify`. */
  async stopNotify(component: AnyComponent): Promise<void> {
    this.#assertAccepting('stop a component');
    const core = this.#usable(component, 'stop');
    const done = new Promise<void>((resolve, reject) => core.listen('stop', { resolve, reject }));
    core.requestStop();
    return done;
  }

  /**
   * Kills `component`; resolves once it is destroyed (at once if it already is, or is faulty). Unlike
   * Kompact, this also resolves for a component that was never started. Kompact: `kill_notify`.
   */
  async killNotify(component: AnyComponent): Promise<void> {
    this.#assertNotTerminated('kill a component');
    const core = this.#own(component);
    if (core.state === 'destroyed' || core.state === 'faulty') return;
    const done = new Promise<void>((resolve, reject) => core.listen('kill', { resolve, reject }));
    core.requestKill();
    return done;
  }

  /**
   * Shuts the system down: every started component is killed (its `onKill` runs), never-started ones
   * are destroyed without `onKill`, no recovery runs, and queued messages become dead letters. Resolves
   * when all of that is done; calling it again returns the same promise. Afterwards every call fails
   * with `SYSTEM_TERMINATED`.
   *
   * A component that is still blocked when the grace period (`shutdownGraceMs`, default 10 s of clock
   * time) ends is destroyed without waiting further, with a warning: so a handler that awaits this
   * very shutdown cannot hold it forever. From inside a component, call it without awaiting it.
   *
   * Kompact: `shutdown`.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#runShutdown();
    return this.#shutdown;
  }

  /**
   * Cancels a timer of any component of this system: its handler never runs again. A no-op for a
   * fired or cancelled timer, or one of another system. Kompact: `cancel_timer` on a system handle.
   */
  cancelTimer(timer: ScheduledTimer): void {
    if (!(timer instanceof ScheduledTimer) || !timer.core.isHostedBy(this.#runtime)) return;
    timer.core.cancelTimer(timer);
  }

  /** Delivers `request` to `port` as if a connected required port had triggered it. Kompact: `trigger_r`. */
  triggerR<Request, Indication>(request: Request, port: ProvidedPort<Request, Indication>): void {
    this.#assertNotTerminated('trigger a port');
    if (!(port instanceof ProvidedPort)) throw new TypeError(`Expected a ProvidedPort, got ${typeof port}`);
    port.core.enqueuePortEvent(port, request);
  }

  /** Delivers `indication` to `port` as if a connected provided port had triggered it. Kompact: `trigger_i`. */
  triggerI<Request, Indication>(indication: Indication, port: RequiredPort<Request, Indication>): void {
    this.#assertNotTerminated('trigger a port');
    if (!(port instanceof RequiredPort)) throw new TypeError(`Expected a RequiredPort, got ${typeof port}`);
    port.core.enqueuePortEvent(port, indication);
  }

  /** Resolves when the system has terminated. Kompact: `await_termination`. */
  awaitTermination(): Promise<void> {
    return this.#terminated;
  }

  async #runShutdown(): Promise<void> {
    this.#state = 'shutting-down';
    const runtime = this.#runtime;
    runtime.logger.debug('Shutting down');
    await runtime.endAll();
    await runtime.scheduler.whenIdle();
    runtime.timers.close();
    this.#state = 'terminated';
    runtime.logger.debug('Terminated');
    this.#markTerminated();
  }

  #assertNotTerminated(action: string): void {
    if (this.#state === 'terminated') {
      throw new KompactError('SYSTEM_TERMINATED', `Cannot ${action}: system ${this.label} has shut down`);
    }
  }

  #assertAccepting(action: string): void {
    this.#assertNotTerminated(action);
    if (this.#state === 'shutting-down') {
      throw new KompactError(
        'SYSTEM_SHUTTING_DOWN',
        `Cannot ${action}: system ${this.label} is shutting down`,
      );
    }
  }

  #own(component: AnyComponent): ComponentCore {
    if (!(component instanceof Component)) {
      throw new TypeError(`Expected a Component made by system.create, got ${typeof component}`);
    }
    const core = coreOf(component);
    if (!core.isHostedBy(this.#runtime)) {
      throw new KompactError(
        'FOREIGN_COMPONENT',
        `Component ${core.id} belongs to another system than ${this.label}`,
      );
    }
    return core;
  }

  #usable(component: AnyComponent, action: string): ComponentCore {
    const core = this.#own(component);
    if (core.state === 'destroyed') {
      throw new KompactError(
        'COMPONENT_DESTROYED',
        `Cannot ${action} component ${core.id} (${core.typeName}): it is destroyed`,
      );
    }
    if (core.state === 'faulty') {
      throw new KompactError(
        'COMPONENT_FAULTY',
        `Cannot ${action} component ${core.id} (${core.typeName}): it is faulty`,
      );
    }
    return core;
  }
}
