import type { Logger } from 'pino';
import { ActorRef, type RefTarget } from '../actors/actor-ref.js';
import { Component, coreOf } from '../component/component.js';
import { ComponentCore } from '../component/component-core.js';
import { ComponentDefinition } from '../component/component-definition.js';
import { constructFor } from '../component/creation.js';
import { parseAlias } from '../dispatch/alias.js';
import type { AliasResult, Dispatcher } from '../dispatch/dispatcher.js';
import type { RoutingPolicy } from '../dispatch/routing-policy.js';
import { describeThrown } from '../internal/describe-thrown.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { type NetworkLink, NetworkStatusProvider } from '../net/network-link.js';
import type { NetworkStatus, NetworkStatusRequest } from '../net/network-status-port.js';
import type { NamedPath, UniquePath } from '../paths/actor-path.js';
import type { ComponentId } from '../paths/component-id.js';
import { messageSource, type TellSource } from '../paths/message-source.js';
import type { SystemPath } from '../paths/system-path.js';
import { biconnectPorts } from '../ports/connect.js';
import { type Channel, ProvidedPort, RequiredPort } from '../ports/port-ends.js';
import { OffTask } from '../runtime/off-task.js';
import type { Scheduler } from '../runtime/scheduler.js';
import { abandonSnapshots, closeSnapshots, type Snapshots } from '../snapshots/snapshots.js';
import type { Supervision } from '../supervision/supervision-events.js';
import type { Clock } from '../timer/clock.js';
import { ScheduledTimer } from '../timer/scheduled-timer.js';
import type { TimerFacility } from '../timer/timer-facility.js';
import type { ThreadChannel } from '../workers/thread-channel.js';
import type { ThreadLink } from '../workers/thread-link.js';
import type { SpawnWorkersOptions, WorkerPool } from '../workers/worker-pool.js';
import type { SpawnWorkerOptions, WorkerSystem } from '../workers/worker-system.js';
import type { Config } from './config.js';
import { startConfiguredInspector } from './configured-inspector.js';
import type { DeadLetters } from './dead-letters.js';
import type { RuntimeSettings } from './kompact-config.js';
import type { SystemHandle } from './system-handle.js';
import { SystemRuntime } from './system-runtime.js';

/**
 * A rejected promise that notices whether anyone looked at it: `await`, `catch`, `finally` and
 * `Promise.all` all go through `then`. It never counts as an unhandled rejection.
 */
class ObservedRejection<T> extends Promise<T> {
  // Promises derived from this one (by then/catch) are plain ones.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #observed = false;

  constructor(error: unknown) {
    super((_resolve, reject) => reject(error));
    Promise.prototype.then.call(this, undefined, () => {});
  }

  /** Whether `then` (or anything built on it) was called. */
  get isObserved(): boolean {
    return this.#observed;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass overrides then to see who awaits it
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

/** @internal `KompactConfig.build`: makes the system and, with network config, binds its address. */
export async function buildSystem(settings: RuntimeSettings): Promise<KompactSystem> {
  const system = new KompactSystem(settings);
  for (const warning of settings.warnings) runtimeOf(system).logger.warn(warning);
  await runtimeOf(system).openNetwork(settings);
  if (settings.inspector !== undefined) {
    try {
      await startConfiguredInspector(system, settings.inspector, runtimeOf(system).logger);
    } catch (error) {
      // The caller asked for an inspector and gets an error instead of a system: release what was opened.
      await system.shutdown();
      throw error;
    }
  }
  return system;
}

let runtimeOf: (system: KompactSystem) => SystemRuntime;

/**
 * Makes `system` a worker system whose other paths go to the parent through `channel`: for the worker
 * thread's entry module (`worker-main.ts`).
 */
export function connectToParent(system: KompactSystem, channel: ThreadChannel): ThreadLink {
  return runtimeOf(system).connectParent(channel);
}

/**
 * What the inspector (`kompact-ts/inspector`, a layer above this one) reads of a system's runtime when
 * it samples: named here rather than the runtime's class, which is internal to this layer.
 */
export interface RuntimeView {
  readonly scheduler: Scheduler;
  /** Every component not yet destroyed or recovered (not in creation order). */
  readonly live: Iterable<ComponentCore> & { readonly size: number };
  readonly timers: TimerFacility;
  readonly dispatcher: Dispatcher;
  readonly link: NetworkLink | undefined;
  readonly clock: Clock;
  /** When the system was built, on its clock. */
  readonly builtAtMs: number;
  /** The worker systems it spawned and has not terminated. */
  spawnedWorkers(): readonly WorkerSystem[];
}

/** The runtime behind `system`, as the inspector reads it. Not re-exported by `src/index.ts`. */
export function runtimeViewOf(system: KompactSystem): RuntimeView {
  return runtimeOf(system);
}

/** Where a system is in its life. */
export type SystemState = 'active' | 'shutting-down' | 'terminated';

type AnyComponent = Component<ComponentDefinition<unknown>>;

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

  static {
    runtimeOf = (system) => system.#runtime;
  }

  /** @internal Use `KompactConfig.build`. */
  constructor(settings: RuntimeSettings) {
    this.label = settings.label;
    this.#runtime = new SystemRuntime(settings, this);
    this.#runtime.onPoison = () => {
      void this.killSystem();
    };
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

  /**
   * The system's snapshots: values saved under keys in its snapshot store (in memory by default, see
   * `KompactConfig.snapshotStore`). Components reach the same object as `this.ctx.snapshots`.
   */
  get snapshots(): Snapshots {
    return this.#runtime.snapshots;
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

  /**
   * Creates a component that no supervisor watches: a fault of it runs no recovery and ends the whole
   * system at once (as `killSystem`), with an error logged. For a component the system cannot run
   * without.
   *
   * Kompact: `create_unsupervised` (a top-level component's fault poisons the system).
   */
  createUnsupervised<D extends ComponentDefinition<unknown>>(factory: () => D): Component<D> {
    const component = this.create(factory);
    this.#runtime.supervisor.unsupervise(coreOf(component));
    return component;
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
   * Ends the system now: every component is destroyed without `onKill` and without waiting for what
   * it blocks on, no recovery runs, queued messages become dead letters, and network connections are
   * dropped without flushing (peers see this system crash). Resolves when the system has terminated;
   * during a `shutdown`, returns that shutdown's promise.
   *
   * Kompact: `kill_system`.
   */
  killSystem(): Promise<void> {
    this.#shutdown ??= this.#runShutdown(true);
    return this.#shutdown;
  }

  /**
   * The path whose messages are dead letters (`unresolved`): the sender of messages told by the
   * system itself, which nobody can answer.
   *
   * Kompact: `deadletter_path`.
   */
  deadLetterPath(): UniquePath {
    return this.#runtime.dispatcher.systemSenderPath;
  }

  /**
   * A reference whose messages are dead letters (reason `sent-to-dead-letters`): a sink to hand to a
   * component that must be given somewhere to send. Kompact: `SystemHandle::deadletter_ref`.
   */
  deadLetterRef(): ActorRef<unknown> {
    this.#deadLetterRef ??= new ActorRef(this.#deadLetterBox());
    return this.#deadLetterRef;
  }

  #deadLetterRef: ActorRef<unknown> | undefined;

  #deadLetterBox(): RefTarget {
    const runtime = this.#runtime;
    const id = runtime.dispatcher.systemSenderPath.id as ComponentId;
    const record = (message: unknown) =>
      runtime.deadLetters.publish(id, 'DeadLetters', message, 'sent-to-dead-letters');
    return { id, typeName: 'DeadLetters', clock: runtime.clock, tell: record, deadLetterFromEnded: record };
  }

  /**
   * Cancels a timer of any component of this system: its handler never runs again. A no-op for a
   * fired or cancelled timer, or one of another system. Kompact: `cancel_timer` on a system handle.
   */
  cancelTimer(timer: ScheduledTimer): void {
    // The facility cancels only a pending handle it holds itself: one of another system is a no-op.
    if (timer instanceof ScheduledTimer) this.#runtime.timers.cancel(timer);
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

  /**
   * Runs `task` (a module function, see `offTask`) with `input` on this system's worker pool, off the
   * event loop, and resolves with its result. From a component, use `ctx.spawnOff`, whose result is
   * dropped if the component ends first.
   *
   * Kompact: `spawn_off` (on a system handle).
   *
   * @remarks Rejects with what the task threw, or with a {@link KompactError}: `TASK_NOT_FOUND` (no
   * such module or export), `SERIALISATION_FAILED` (an input or result that cannot be structured-cloned),
   * `SYSTEM_TERMINATED` (the system shut down before the task finished, or had shut down). The pool
   * (`kompact.runtime.threads` threads, default `os.availableParallelism()`) is loaded by the first
   * task and ended by shutdown.
   *
   * @throws TypeError when `task` was not made by `offTask`.
   *
   * @example
   * ```ts
   * const fib = offTask<(n: number) => number>(new URL('./fib.js', import.meta.url), 'fib');
   * const result = await system.spawnOff(fib, 30);
   * ```
   */
  spawnOff<I, R>(task: OffTask<I, R>, input: I): Promise<R> {
    if (!(task instanceof OffTask)) {
      throw new TypeError(`Expected \`task\` to be an OffTask made by offTask(), got ${describeValue(task)}`);
    }
    if (this.#state === 'terminated') {
      return Promise.reject(
        new KompactError('SYSTEM_TERMINATED', `Cannot run task ${task}: system ${this.label} has shut down`),
      );
    }
    return this.#runtime.offLoop.run(task as OffTask<unknown, unknown>, input) as Promise<R>;
  }

  /** Resolves when the system has terminated. Kompact: `await_termination`. */
  awaitTermination(): Promise<void> {
    return this.#terminated;
  }

  // ---- named services and the network --------------------------------------------------------------

  /**
   * This system's address: `tcp://host:port` as bound (the real port when configured with 0), or
   * `local://127.0.0.1:0` for a system without a network. Kompact: `system_path`.
   */
  systemPath(): SystemPath {
    return this.#runtime.dispatcher.systemPath;
  }

  /**
   * The unique path of `component` (`<system path>#<id>`); the path reaches it while it lives.
   * Kompact: `actor_path_for`.
   */
  actorPathFor(component: AnyComponent): UniquePath {
    return this.#runtime.dispatcher.register(this.#own(component));
  }

  /**
   * Registers `component` under its unique path and resolves with it. Kompact: `register`.
   *
   * @remarks Registration happens at once; the promise only reports it. Rejections (bad input) are
   * also logged, so an ignored one is never silent.
   */
  register(component: AnyComponent): Promise<UniquePath> {
    return this.#registration('register a component', () => this.actorPathFor(component));
  }

  /**
   * Creates a component from `factory` and registers it; returns the component and the promise of its
   * unique path. Kompact: `create_and_register`.
   */
  createAndRegister<D extends ComponentDefinition<unknown>>(
    factory: () => D,
  ): [component: Component<D>, path: Promise<UniquePath>] {
    const component = this.create(factory);
    return [component, this.register(component)];
  }

  /**
   * Registers `component` under the named path `alias` (`'a/b'`) and resolves with that path; other
   * systems reach it at `tcp://host:port/a/b`. A component may have several aliases.
   *
   * Kompact: `register_by_alias`.
   *
   * @remarks Rejects with `DUPLICATE_ENTRY` when the alias is taken (even by a faulted component:
   * re-point it with {@link KompactSystem.updateAliasRegistration}), with a `PathParseError` for a
   * malformed alias. Registration happens at once; rejections are also logged.
   */
  registerByAlias(component: AnyComponent, alias: string): Promise<NamedPath> {
    return this.#registration(`register alias ${String(alias)}`, () =>
      this.#aliasResult(
        this.#runtime.dispatcher.registerAlias(this.#own(component), parseAlias(alias), false),
      ),
    );
  }

  /**
   * Registers `component` under `alias`, replacing whatever was there: the way to re-point a named
   * service at a new component (e.g. in a recovery handler). Kompact: `update_alias_registration`.
   */
  updateAliasRegistration(component: AnyComponent, alias: string): Promise<NamedPath> {
    return this.#registration(`update alias ${String(alias)}`, () =>
      this.#aliasResult(
        this.#runtime.dispatcher.registerAlias(this.#own(component), parseAlias(alias), true),
      ),
    );
  }

  /**
   * Makes `alias` a routing group: messages to it (or to `alias/*`, `alias/?` as the policy's mode
   * allows) go to the components registered below it, as `policy` picks them. Without `update`, rejects
   * with `DUPLICATE_ENTRY` when something is registered at `alias`.
   *
   * Kompact: `set_routing_policy`.
   *
   * @example
   * ```ts
   * await system.setRoutingPolicy('workers', new RoundRobinRouting());
   * await system.registerByAlias(worker1, 'workers/1');
   * ```
   */
  setRoutingPolicy(
    alias: string,
    policy: RoutingPolicy,
    options: { readonly update?: boolean } = {},
  ): Promise<NamedPath> {
    return this.#registration(`set the routing policy of ${String(alias)}`, () => {
      if (typeof policy !== 'object' || policy === null || typeof policy.route !== 'function') {
        throw new TypeError(`Expected \`policy\` to be a RoutingPolicy, got ${typeof policy}`);
      }
      if (policy.mode !== 'broadcast' && policy.mode !== 'select') {
        throw new TypeError(
          `Expected \`policy.mode\` to be 'broadcast' or 'select', got ${String(policy.mode)}`,
        );
      }
      return this.#aliasResult(
        this.#runtime.dispatcher.setRoutingPolicy(parseAlias(alias), policy, options.update === true),
      );
    });
  }

  /**
   * Connects `required` to this system's network status port: it receives connection events and may
   * trigger `NetworkStatusRequest`s. On a system without a network it receives nothing and its requests
   * are logged and ignored. Kompact: `connect_network_status_port`.
   */
  connectNetworkStatusPort(required: RequiredPort<NetworkStatusRequest, NetworkStatus>): Channel {
    this.#assertAccepting('connect to the network status port');
    if (!(required instanceof RequiredPort)) {
      throw new TypeError(`Expected a RequiredPort of NetworkStatusPort, got ${typeof required}`);
    }
    const runtime = this.#runtime;
    let provider = this.#statusProvider;
    if (provider === undefined) {
      const link = runtime.link;
      const component = this.create(() => new NetworkStatusProvider(link));
      this.start(component);
      provider = component.onDefinition((definition) => definition.status);
      this.#statusProvider = provider;
      if (link !== undefined) link.statusPort = provider;
    }
    return biconnectPorts(provider, required);
  }

  #statusProvider: ProvidedPort<NetworkStatusRequest, NetworkStatus> | undefined;

  // ---- worker systems -------------------------------------------------------------------------------

  /**
   * Starts a worker system: a new thread runs the module at `moduleUrl` (whose default export is made
   * by `defineWorker`) on a `KompactSystem` built from this system's configuration, and the promise
   * resolves once its setup has finished. Reach its components at `${worker.systemPath()}/<alias>`.
   *
   * Kompact: none; Kompact runs one system on a pool of threads (`kompact.runtime.threads`), kompact-ts
   * one system per thread, reached by path (see docs/multi-core.md).
   *
   * @remarks Rejects with `WORKER_MODULE_INVALID` when the module cannot be loaded or its default
   * export is not a worker definition, with `WORKER_SETUP_FAILED` when its setup throws or its thread
   * ends first; the thread is ended then; with `WORKER_NESTED` on a worker system (workers do not
   * spawn workers). `system.shutdown()` ends every worker first.
   *
   * @example
   * ```ts
   * const worker = await system.spawnWorker(new URL('./echo-worker.js', import.meta.url));
   * ActorPath.parse(`${worker.systemPath()}/echo`).tell('hello', system);
   * ```
   */
  async spawnWorker(moduleUrl: URL | string, options: SpawnWorkerOptions = {}): Promise<WorkerSystem> {
    this.#assertAccepting('spawn a worker');
    this.#assertNotWorker();
    return this.#runtime.workers.spawn(moduleUrl, options);
  }

  /**
   * Starts `count` worker systems of one module (default: config `kompact.runtime.threads`, itself
   * `os.availableParallelism()`) and resolves with their pool once every setup has finished: its
   * `selectPath(alias)` reaches one of them per message, its `broadcastPath(alias)` all of them.
   *
   * Kompact: the select (`?`) and broadcast (`*`) routing of `set_routing_policy`, over threads.
   */
  async spawnWorkers(moduleUrl: URL | string, options: SpawnWorkersOptions = {}): Promise<WorkerPool> {
    this.#assertAccepting('spawn workers');
    this.#assertNotWorker();
    return this.#runtime.workers.spawnPool(moduleUrl, options, this.#runtime.threadCount);
  }

  /** @internal Where messages told by the system itself go, and their (unanswerable) sender. */
  [messageSource](): TellSource {
    const dispatcher = this.#runtime.dispatcher;
    return { dispatcher, sender: dispatcher.systemSenderPath };
  }

  #aliasResult(result: AliasResult): NamedPath {
    if (result.kind === 'duplicate') {
      throw new KompactError(
        'DUPLICATE_ENTRY',
        `${result.path.toString()} is already registered (use updateAliasRegistration to re-point it)`,
      );
    }
    return result.path;
  }

  /**
   * Runs a registration now; the promise reports it. A failure the caller looks at (awaits, catches,
   * passes to `Promise.all`) is theirs to report and is logged at debug only; one whose promise nobody
   * has looked at by the next macrotask is logged as a warning, so ignoring the promise hides nothing.
   */
  #registration<T>(action: string, run: () => T): Promise<T> {
    try {
      this.#assertAccepting(action);
      return Promise.resolve(run());
    } catch (error) {
      const rejected = new ObservedRejection<T>(error);
      const logger = this.#runtime.logger;
      const message = `Could not ${action}: ${describeThrown(error)}`;
      setImmediate(() => {
        if (rejected.isObserved) logger.debug({ err: error }, message);
        else logger.warn(`${message} (the promise was ignored)`);
      });
      return rejected;
    }
  }

  async #runShutdown(kill = false): Promise<void> {
    this.#state = 'shutting-down';
    const runtime = this.#runtime;
    runtime.logger.debug(kill ? 'Killing the system' : 'Shutting down');
    // Workers first: their systems shut down (and may still send here), then their threads end. Only
    // a system that spawned some waits for them: the others begin ending their components at once.
    const workers = runtime.endWorkers();
    if (workers !== undefined) await workers;
    // Frames arriving from now on would reach components that are ending: their senders report them.
    runtime.link?.stopAcknowledging();
    if (kill) runtime.destroyAll();
    else await runtime.endAll();
    await runtime.scheduler.whenIdle();
    const link = runtime.link;
    if (link !== undefined) {
      link.statusPort = undefined; // its listeners are gone; closing reports nothing to them
      await link.close(kill);
    }
    runtime.timers.close();
    // After every component ended: a task a blocked component waited for could still finish.
    await runtime.offLoop.close();
    // After the components ended: what their onKill saved is committed before the store closes; a
    // store that hangs is given up on after the grace period, its pending saves rejected.
    const graceMs = runtime.shutdownGraceMs;
    const grace = runtime.clock.setTimer(
      () => abandonSnapshots(runtime.snapshots, `shutdown waited ${graceMs} ms for the snapshot store`),
      graceMs,
    );
    await closeSnapshots(runtime.snapshots);
    runtime.clock.clearTimer(grace);
    runtime.deadLetters.flushUnlogged();
    this.#state = 'terminated';
    runtime.logger.debug('Terminated');
    this.#markTerminated();
  }

  /**
   * Worker paths are numbered per process by the main thread, and a worker's only link is to its
   * parent: a worker spawning workers would get paths that clash with its siblings'.
   */
  #assertNotWorker(): void {
    if (this.#runtime.isWorker) {
      throw new KompactError(
        'WORKER_NESTED',
        `System ${this.label} is a worker system: only a system of the main thread spawns workers (send a request to the parent instead)`,
      );
    }
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
    const state = core.state;
    if (state === 'active' || state === 'passive') return core;
    throw new KompactError(
      state === 'destroyed' ? 'COMPONENT_DESTROYED' : 'COMPONENT_FAULTY',
      `Cannot ${action} component ${core.id} (${core.typeName}): it is ${state}`,
    );
  }
}
