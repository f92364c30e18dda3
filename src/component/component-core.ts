import type { Logger } from 'pino';
import { ActorRef, endedActorRef, type RefTarget, repoint } from '../actors/actor-ref.js';
import { AskCarrier, AskEnvelope, dropAskIn } from '../actors/ask.js';
import { type AskHolder, dropHeldAsks, type HeldAsk, holdAsk } from '../actors/kpromise.js';
import { describeValue } from '../internal/describe-value.js';
import { KompactError } from '../internal/kompact-error.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { PathTarget } from '../messaging/message-target.js';
import { NetMessage } from '../messaging/net-message.js';
import type { UniquePath } from '../paths/actor-path.js';
import { type ComponentId, newComponentId } from '../paths/component-id.js';
import { messageSource, type TellSource } from '../paths/message-source.js';
import type { AnyPort, Port } from '../ports/port.js';
import { makePortEnd, type PortEnd, type ProvidedPort, type RequiredPort } from '../ports/port-ends.js';
import { OffTask } from '../runtime/off-task.js';
import type { Runnable } from '../runtime/scheduler.js';
import type { Serialiser } from '../serialisation/serialiser.js';
import {
  type SaveListener,
  type SaveOutcome,
  type Snapshots,
  saveNotifying,
} from '../snapshots/snapshots.js';
import {
  defaultRecoveryFunction,
  type Fault,
  FaultContext,
  type RecoveryFunction,
} from '../supervision/fault.js';
import type { FaultedComponent } from '../supervision/faulted-component.js';
import type { Config } from '../system/config.js';
import type { SystemHandle } from '../system/system-handle.js';
import type { Clock, ClockTimer } from '../timer/clock.js';
import { type ScheduledTimer, type TimerOwner, timerOwnerBrand } from '../timer/scheduled-timer.js';
import { type Component, coreOf } from './component.js';
import type { ComponentContext } from './component-context.js';
import { ComponentDefinition } from './component-definition.js';
import type { ComponentHost, HostDispatcher } from './component-host.js';
import { Handled, HandlerError, type HandlerResult, type HandlerReturn } from './handled.js';

/**
 * Where a component is in its life. `passive`: created or stopped, queues work without handling it;
 * `active`: handles work; `faulty`: a handler faulted, it never runs again; `destroyed`: killed.
 */
export type LifecycleState = 'passive' | 'active' | 'faulty' | 'destroyed';

/**
 * The core's own lifecycle, one state with no flags beside it. A faulty component is
 * `faulty-awaiting-recovery` from its fault until its recovery handler has run (messages still queue,
 * a replacement may take them), then `faulty` (messages are dead letters); a killed one is
 * `destroying` while its `onKill` runs (its context still acts), then `destroyed` (code still running
 * for it acts for nobody). Through {@link ComponentCore.state} they read as `faulty` and `destroyed`.
 */
type CoreStatus = 'passive' | 'active' | 'faulty-awaiting-recovery' | 'faulty' | 'destroying' | 'destroyed';

type ControlEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'kill' }
  | { readonly kind: 'spawn'; readonly future: () => PromiseLike<HandlerResult> }
  | { readonly kind: 'future-resolved'; readonly result: unknown }
  | { readonly kind: 'future-rejected'; readonly error: unknown }
  | { readonly kind: 'saved' };

/** The callback of `ctx.saveSnapshot`, run as a turn of the component. */
type OnSaved = (outcome: SaveOutcome) => HandlerReturn;

/** What the component was doing when a handler returned: decides how its result completes. */
type Phase = 'message' | 'start' | 'stop' | 'kill' | 'secondary-kill' | 'future';

type ListenerKind = 'start' | 'stop' | 'kill';

interface Listener {
  resolve(): void;
  reject(error: unknown): void;
}

/** Ended components that already warned about code acting for them: one warning each. */
const warnedCores = new WeakSet<ComponentCore>();

/** Each component's child logger, made the first time it logs (most components never do). */
const childLoggers = new WeakMap<ComponentCore, Logger>();

/** The grace timer of each blocked component a kill waits for (rare: kept beside the cores, not in them). */
const killGraces = new WeakMap<ComponentCore, ClockTimer>();
/** How many of {@link killGraces} are armed: none in the usual case, so disarming skips the lookup. */
let armedKillGraces = 0;

/** On the ready queue, in its turn, or blocked: nothing else wakes it (a bit of `ComponentCore.flags`). */
const SCHEDULED = 1;
/** A handler's promise is pending: the component runs nothing until it settles. */
const BLOCKED = 2;
/** Ever asked to start: shutdown kills it (its `onKill` runs) rather than destroying it quietly. */
const START_REQUESTED = 4;
/** The bits of `ComponentCore.flags` below its live index. */
const FLAG_BITS = 7;
/**
 * Where the live index starts in `ComponentCore.flags`. A field is a small integer up to 2^31 − 1, so
 * the index may reach 2^28 − 2: more components than fit in memory (each takes over 100 bytes).
 */
const LIVE_INDEX_SHIFT = 3;

/**
 * What a core holds only once something asks for it: its id, notify listeners, unique path, the
 * settler of its blocks, the round-robin cursor of several ports, its timers and the asks it holds.
 * Most components never need any of it (a spawn-churn component none), so the core keeps one field
 * for all of them: every field of the core is 8 bytes in each live component, copied at every
 * young-generation collection that finds it alive.
 */
class CoreExtras {
  id: ComponentId | undefined = undefined;
  listeners: Record<ListenerKind, Listener[] | undefined> | undefined = undefined;
  /** The unique path, once asked for (registering the component with the dispatcher). */
  ownPath: UniquePath | undefined = undefined;
  /**
   * What the component blocks with (see {@link BlockSettler}): made on its first block, reused by the
   * next ones, and dropped when a block is abandoned (by a kill's or shutdown's grace period running
   * out), so that the abandoned promise, settling later, finds itself stale and is ignored.
   */
  block: BlockSettler | undefined = undefined;
  /** The next port of the round robin, when there are several. */
  portCursor = 0;
  /** Table id of the first of the component's live timers, or -1 (kept by the timer facility). */
  timerHead = -1;
  /**
   * The asks delivered to the component's handlers and not answered yet (a list through the asks
   * themselves): rejected with `PROMISE_DROPPED` when it faults or is destroyed, so none hangs.
   */
  heldAsks: HeldAsk | undefined = undefined;
  /**
   * The callbacks of `ctx.saveSnapshot` saves that have settled, each followed by its outcome, in the
   * order their `saved` control events run them: no event object per acknowledgement (a thousand
   * acknowledged together made a thousand, some of which lived long enough to be promoted).
   */
  settledSaves: RingBuffer<unknown> | undefined = undefined;
}

/**
 * The state of a blocked component and the pair of callbacks handed to the `then` of the promise it
 * blocks on. One per component, made on its first block and reused: a block used to make a context
 * and two closures (and, when it settled, a third), held as long as the promise was pending, and a
 * component blocked on a save holds them across young-generation collections, each of which copies
 * them. A native promise settles once, so while a component is blocked its pair is called at most
 * once, for this block; a block is only ever left early by being abandoned, which drops the pair.
 */
class BlockSettler {
  /** What the component was doing when its handler returned the promise. */
  phase: Phase = 'message';
  /** The message (an ask, maybe) the blocked handler took, until the block settles. */
  inFlight: unknown = undefined;

  constructor(
    readonly resolved: (result: unknown) => void,
    readonly rejected: (error: unknown) => void,
  ) {}
}

/** What `ComponentCore.firstMessage` holds when it holds no message (no user value is this symbol). */
const NO_MESSAGE: unknown = Symbol('no message');

/**
 * The mailbox ring of a component that has never had two messages waiting at once: empty, so the
 * first push grows it (to 2 slots), and never written to.
 */
const NO_MESSAGES: unknown[] = [];

/**
 * The base class's lifecycle hooks, which do nothing: a component that does not override one skips
 * the call (and its try, and the classification of its `undefined`) — most components never override
 * `onStart` or `onStop`.
 */
const { onStart: noStart, onStop: noStop, onKill: noKill } = ComponentDefinition.prototype;

const START: ControlEvent = Object.freeze({ kind: 'start' });
const STOP: ControlEvent = Object.freeze({ kind: 'stop' });
const KILL: ControlEvent = Object.freeze({ kind: 'kill' });
/** Runs the next of the core's settled `ctx.saveSnapshot` callbacks (see `CoreExtras.settledSaves`). */
const SAVED: ControlEvent = Object.freeze({ kind: 'saved' });

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The runtime half of a component: lifecycle state, queues, listeners, and the one place that calls
 * its user code and classifies what comes back. It is also the component's `ctx`.
 */
export class ComponentCore
  implements
    Runnable,
    ComponentContext<unknown>,
    AskHolder,
    RefTarget,
    PathTarget,
    TimerOwner,
    FaultedComponent,
    SaveListener<OnSaved>
{
  /** This component's id, made the first time it is asked for (most components never are). */
  get id(): ComponentId {
    const extras = this.more();
    extras.id ??= newComponentId();
    return extras.id;
  }

  /** Marks cores for `timer instanceof ScheduledTimer` (on the prototype: no field per core). */
  get [timerOwnerBrand](): true {
    return true;
  }

  private status: CoreStatus = 'passive';

  /** Where this component is in its life, as users see it (awaiting recovery or not, a fault is `faulty`). */
  get state(): LifecycleState {
    const status = this.status;
    if (status === 'faulty-awaiting-recovery') return 'faulty';
    return status === 'destroying' ? 'destroyed' : status;
  }

  /** Whether this component faulted or is destroyed (a kill whose `onKill` still runs has not ended). */
  get isEnded(): boolean {
    const status = this.status;
    return status !== 'passive' && status !== 'active' && status !== 'destroying';
  }

  definition!: ComponentDefinition<unknown>;

  /**
   * The definition's class name, for logs, errors and dead letters: read when one is written, not
   * stored (a function's `name` is a getter call, and a field per component).
   */
  get typeName(): string {
    const definition = this.definition as ComponentDefinition<unknown> | undefined;
    return definition?.constructor.name || 'Component';
  }

  private readonly host: ComponentHost;
  /**
   * The mailbox, `messageCount` messages, kept in the core rather than in a `RingBuffer` of its own
   * (one object and 32 B less per component, which spawn churn feels in every young-generation
   * collection). A message that arrives at an empty mailbox waits in `firstMessage`; messages that
   * arrive behind it wait in a ring over `messages` (its length a power of two, or the empty
   * `NO_MESSAGES`) from `messageHead`. The oldest message is `firstMessage` when that is set, so the
   * order is kept; and a component that never has two messages waiting at once (most components,
   * and both sides of a ping-pong) never allocates the ring's array.
   */
  private firstMessage: unknown = NO_MESSAGE;
  private messages: unknown[] = NO_MESSAGES;
  private messageHead = 0;
  private messageCount = 0;
  /**
   * Lifecycle and future events waiting for a turn: none, one (the usual case: a start, a kill), or a
   * queue of several (never an empty one), so most components never allocate a queue for them.
   */
  private control: ControlEvent | RingBuffer<ControlEvent> | undefined;
  /**
   * `SCHEDULED`, `BLOCKED` and `START_REQUESTED`, and above them the core's live index plus one (0:
   * not live, see {@link liveIndex}): one field rather than four.
   */
  private flags = 0;
  private recoveryFunction: RecoveryFunction = defaultRecoveryFunction;
  private ownRef: ActorRef<unknown> | undefined;
  /**
   * Ports with handlers: none, the only one (the usual case: no round robin to keep), or several in
   * declaration order (round-robin order). One field for both cases rather than two.
   */
  private ports: PortEnd<unknown, unknown> | PortEnd<unknown, unknown>[] | undefined;
  private pendingPortEvents = 0;
  /** What few components need (see {@link CoreExtras}), made on first need. */
  private extras: CoreExtras | undefined = undefined;
  /**
   * Expired timers waiting for a turn. A field of its own, not in the extras: every turn reads it,
   * and a read through the extras cost a message turn about 15 instructions (B1).
   */
  private timerQueue: RingBuffer<ScheduledTimer> | undefined = undefined;

  constructor(host: ComponentHost) {
    this.host = host;
  }

  /**
   * Where this component sits in its system's live components, or -1: kept by `LiveComponents`, in
   * the bits of `flags` above the three flags rather than in a field of its own.
   */
  get liveIndex(): number {
    return (this.flags >> LIVE_INDEX_SHIFT) - 1;
  }

  set liveIndex(index: number) {
    this.flags = (this.flags & FLAG_BITS) | ((index + 1) << LIVE_INDEX_SHIFT);
  }

  /** This core's {@link CoreExtras}, made now if it has none yet. */
  private more(): CoreExtras {
    this.extras ??= new CoreExtras();
    return this.extras;
  }

  /**
   * Table id of the first of this component's live timers, or -1: kept by the timer facility, in the
   * extras (most components never schedule a timer).
   */
  get timerHead(): number {
    const extras = this.extras;
    return extras === undefined ? -1 : extras.timerHead;
  }

  set timerHead(id: number) {
    if (id === -1 && this.extras === undefined) return;
    this.more().timerHead = id;
  }

  /** The head of the asks this component holds (kept by `holdAsk` and `dropHeldAsks`), in the extras. */
  get heldAsks(): HeldAsk | undefined {
    return this.extras?.heldAsks;
  }

  set heldAsks(head: HeldAsk | undefined) {
    if (head === undefined && this.extras === undefined) return;
    this.more().heldAsks = head;
  }

  /** This component's port ends as a list (for the rare paths that walk them all). */
  private portList(): readonly PortEnd<unknown, unknown>[] {
    const ports = this.ports;
    if (ports === undefined) return [];
    return Array.isArray(ports) ? ports : [ports];
  }

  /** Whether this core belongs to the system whose services are `host`. */
  isHostedBy(host: ComponentHost): boolean {
    return this.host === host;
  }

  /** Binds the definition under construction to this core; returns the core as its `ctx`. */
  attach(definition: ComponentDefinition<unknown>): this {
    this.definition = definition;
    return this;
  }

  // ---- ComponentContext -------------------------------------------------------------------------

  get log(): Logger {
    let logger = childLoggers.get(this);
    if (logger === undefined) {
      logger = this.host.logger.child({ cid: this.id, ctype: this.typeName });
      childLoggers.set(this, logger);
    }
    return logger;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get config(): Config {
    return this.host.config;
  }

  system(): SystemHandle {
    return this.host.handle;
  }

  // A getter, not a field: the core keeps no per-component state for snapshots.
  get snapshots(): Snapshots {
    return this.host.snapshots;
  }

  /**
   * This component's own reference, as its context hands it out: once the component has ended, a
   * reference whose messages are dead letters (its line's reference may reach a replacement).
   */
  actorRef(): ActorRef<unknown> {
    if (this.hasEnded('ctx.actorRef()')) return endedActorRef(this);
    return this.lineRef();
  }

  /**
   * The one reference of this component's line (it and its `replaceWith` replacements): what the
   * outside world holds, which reaches the latest replacement.
   */
  lineRef(): ActorRef<unknown> {
    this.ownRef ??= new ActorRef(this);
    return this.ownRef;
  }

  actorPath(): UniquePath {
    const known = this.extras?.ownPath;
    if (known !== undefined) return known;
    // An ended component is not registered again (that would keep it in the dispatcher): it sends as
    // nobody, the sender of messages replies to which are dead letters.
    if (this.hasEnded('ctx.actorPath()')) return this.host.dispatcher.systemSenderPath;
    const path = this.host.dispatcher.register(this);
    this.more().ownPath = path;
    return path;
  }

  /** @internal Messages told to paths from this component go through its system's dispatcher. */
  [messageSource](): TellSource {
    return { dispatcher: this.dispatcher, sender: this.actorPath() };
  }

  /**
   * Whether this component has ended (faulted, or destroyed with its `onKill` done), so that `what`,
   * called through its context by code still running for it (after an `await` in a `spawnLocal`
   * future, or in an abandoned block), must do nothing. Logs one warning per component.
   */
  private hasEnded(what: string): boolean {
    const status = this.status;
    if (status !== 'faulty' && status !== 'faulty-awaiting-recovery' && status !== 'destroyed') return false;
    const state = this.state;
    if (!warnedCores.has(this)) {
      warnedCores.add(this);
      this.log.warn(
        `Component is ${state}, but code still runs for it (after an await in spawnLocal, or in an abandoned block): ${what} and what follows through its context is ignored`,
      );
    }
    return true;
  }

  /** Records `message`, sent through the reference of an ended component, as a dead letter. */
  deadLetterFromEnded(message: unknown): void {
    this.host.deadLetter(this, message, this.state === 'faulty' ? 'faulty' : 'destroyed');
  }

  /** The system's dispatcher, which delivers messages sent to actor paths. */
  get dispatcher(): HostDispatcher {
    return this.host.dispatcher;
  }

  /** Faulty (awaiting recovery or not) or destroyed: no handler of this component runs again. */
  private isFaultyOrDestroyed(): boolean {
    const status = this.status;
    return status !== 'active' && status !== 'passive';
  }

  /** Whether a message sent now would be queued (not a dead letter). */
  canReceive(): boolean {
    const status = this.status;
    return status === 'active' || status === 'passive' || status === 'faulty-awaiting-recovery';
  }

  suicide(): void {
    if (this.hasEnded('ctx.suicide()')) return;
    this.enqueueControl(KILL);
  }

  setRecoveryFunction(fn: RecoveryFunction): void {
    if (typeof fn !== 'function') {
      throw new TypeError(`Expected the recovery function to be a function, got ${typeof fn}`);
    }
    if (this.hasEnded('setRecoveryFunction')) return;
    this.recoveryFunction = fn;
  }

  spawnLocal(future: () => PromiseLike<HandlerResult>): void {
    if (typeof future !== 'function') {
      throw new TypeError(`Expected \`future\` to be a function returning a promise, got ${typeof future}`);
    }
    if (this.hasEnded('ctx.spawnLocal()')) return;
    this.enqueueControl({ kind: 'spawn', future });
  }

  saveSnapshot<T>(key: string, value: T, onSaved: OnSaved, serialiser?: Serialiser<T>): void {
    if (typeof onSaved !== 'function') {
      throw new TypeError(`Expected \`onSaved\` to be a function, got ${describeValue(onSaved)}`);
    }
    if (this.hasEnded('ctx.saveSnapshot()')) return;
    saveNotifying(this.host.snapshots, key, value, serialiser, this, onSaved);
  }

  /** A save of `ctx.saveSnapshot` settled: its callback runs in a turn (dropped once the component ended). */
  saveSettled(onSaved: OnSaved, outcome: SaveOutcome): void {
    if (this.isFaultyOrDestroyed()) return;
    const extras = this.more();
    extras.settledSaves ??= new RingBuffer<unknown>(4);
    const settled = extras.settledSaves;
    settled.push(onSaved);
    settled.push(outcome);
    this.enqueueControl(SAVED);
  }

  spawnOff<I, R>(task: OffTask<I, R>, input: I): Promise<R> {
    if (!(task instanceof OffTask)) {
      throw new TypeError(`Expected \`task\` to be an OffTask made by offTask(), got ${describeValue(task)}`);
    }
    // Code acting for an ended component gets a promise that never settles: what would follow it
    // acts for nobody, like the rest of its inert context.
    if (this.hasEnded('ctx.spawnOff()')) return new Promise<R>(() => {});
    return new Promise<R>((resolve, reject) => {
      this.host.offLoop.run(task as OffTask<unknown, unknown>, input).then(
        (value) => {
          if (this.isEnded) this.host.deadLetter(this, value, this.endedReason());
          else resolve(value as R);
        },
        (error: unknown) => {
          if (this.isEnded) {
            this.log.debug(
              { err: error, task: String(task) },
              'spawnOff task failed after its component ended',
            );
          } else reject(error);
        },
      );
    });
  }

  private endedReason(): 'faulty' | 'destroyed' {
    return this.state === 'faulty' ? 'faulty' : 'destroyed';
  }

  // ---- queues -------------------------------------------------------------------------------------

  /** Enqueues an actor message; a message to a faulty or destroyed component becomes a dead letter. */
  tell(message: unknown): void {
    const state = this.status;
    if (state === 'active') {
      this.pushMessage(message);
      this.wake();
    } else if (state === 'passive' || state === 'faulty-awaiting-recovery') {
      this.pushMessage(message);
    } else this.host.deadLetter(this, message, state === 'faulty' ? 'faulty' : 'destroyed');
  }

  /** Appends `message` to the mailbox. */
  private pushMessage(message: unknown): void {
    const count = this.messageCount;
    this.messageCount = count + 1;
    if (count === 0) {
      this.firstMessage = message;
      return;
    }
    let messages = this.messages;
    const inRing = this.firstMessage === NO_MESSAGE ? count : count - 1;
    if (inRing === messages.length) messages = this.growMessages(inRing);
    messages[(this.messageHead + inRing) & (messages.length - 1)] = message;
  }

  /** Removes and returns the oldest message; the mailbox must not be empty. */
  private shiftMessage(): unknown {
    this.messageCount--;
    const first = this.firstMessage;
    if (first !== NO_MESSAGE) {
      this.firstMessage = NO_MESSAGE;
      return first;
    }
    const messages = this.messages;
    const head = this.messageHead;
    const message = messages[head];
    messages[head] = undefined;
    this.messageHead = (head + 1) & (messages.length - 1);
    return message;
  }

  /** Doubles the ring (to 2 slots from none), holding its `inRing` messages; returns the new array. */
  private growMessages(inRing: number): unknown[] {
    const old = this.messages;
    const mask = old.length - 1;
    const head = this.messageHead;
    const messages = new Array<unknown>(old.length === 0 ? 2 : old.length << 1);
    for (let i = 0; i < inRing; i++) messages[i] = old[(head + i) & mask];
    this.messages = messages;
    this.messageHead = 0;
    return messages;
  }

  /**
   * Queues `item` (a port event) while this component can still take work (or may hand it to a
   * replacement) and wakes it if it is active; otherwise the item becomes a dead letter. Returns
   * whether it was queued. Messages take `tell`, which does the same for the mailbox.
   */
  private enqueue(queue: RingBuffer<unknown>, item: unknown): boolean {
    const state = this.status;
    if (state === 'active') {
      queue.push(item);
      this.wake();
      return true;
    }
    if (state === 'passive' || state === 'faulty-awaiting-recovery') {
      queue.push(item);
      return true;
    }
    this.host.deadLetter(this, item, state === 'faulty' ? 'faulty' : 'destroyed');
    return false;
  }

  /**
   * Puts this component on the ready queue unless it is there already or blocked (a blocked
   * component keeps its `SCHEDULED` bit until it unblocks, so this one check covers both).
   */
  private wake(): void {
    const flags = this.flags;
    if ((flags & SCHEDULED) === 0) {
      this.flags = flags | SCHEDULED;
      this.host.scheduler.schedule(this);
    }
  }

  /** Forgets the pending control events, and the settled saves whose `saved` events they held. */
  private dropControl(): void {
    this.control = undefined;
    const settled = this.extras?.settledSaves;
    if (settled !== undefined && settled.size > 0) settled.drain();
  }

  /** Enqueues a lifecycle or future event; control events run before anything else in a turn. */
  enqueueControl(event: ControlEvent): void {
    if (this.isFaultyOrDestroyed()) return;
    const control = this.control;
    if (control === undefined) this.control = event;
    else if (control instanceof RingBuffer) control.push(event);
    else {
      const queue = new RingBuffer<ControlEvent>(4);
      queue.push(control);
      queue.push(event);
      this.control = queue;
    }
    this.wake();
  }

  requestStart(): void {
    this.flags |= START_REQUESTED;
    this.enqueueControl(START);
  }

  /**
   * Ends this component for system shutdown: one that was ever asked to start is killed (its
   * `onKill` runs, after a start still queued); one never asked to start is destroyed without it.
   */
  endForShutdown(): void {
    // Shutdown keeps its own grace period for blocked components (`abandon`), so no kill grace here.
    if ((this.flags & START_REQUESTED) !== 0) this.enqueueControl(KILL);
    else this.destroyQuietly();
  }

  requestStop(): void {
    this.enqueueControl(STOP);
  }

  /**
   * Kills this component after what it is doing. One blocked on a promise is given the grace period
   * (`shutdownGraceMs`) to settle it; then the promise is abandoned and the kill goes on.
   */
  requestKill(): void {
    this.enqueueControl(KILL);
    if ((this.flags & BLOCKED) !== 0) this.armKillGrace();
  }

  /** Abandons what this component blocks on if it is still blocked after the grace period. */
  private armKillGrace(): void {
    if (killGraces.has(this)) return;
    // Blocked, so it has its extras (a block keeps its settler there).
    const extras = this.more();
    const settler = extras.block;
    const graceMs = this.host.shutdownGraceMs;
    const timer = this.host.clock.setTimer(() => {
      killGraces.delete(this);
      armedKillGraces--;
      if ((this.flags & BLOCKED) !== 0 && extras.block === settler) this.abandonBlock(graceMs);
    }, graceMs);
    killGraces.set(this, timer);
    armedKillGraces++;
  }

  private disarmKillGrace(): void {
    // Called on every unblock and destruction: no lookup while no kill waits anywhere (the usual case).
    if (armedKillGraces === 0) return;
    const timer = killGraces.get(this);
    if (timer === undefined) return;
    this.host.clock.clearTimer(timer);
    killGraces.delete(this);
    armedKillGraces--;
  }

  /** A kill waited the grace period for this blocked component: stop waiting, and go on with the kill. */
  private abandonBlock(graceMs: number): void {
    this.more().block = undefined;
    this.flags &= ~(BLOCKED | SCHEDULED);
    this.log.warn(
      `Component was killed while blocked and did not unblock within ${graceMs} ms; what it blocks on is abandoned`,
    );
    // Blocked in onKill itself: the kill is done but for this.
    if (this.status === 'destroying') this.becomeDestroyed();
    else if (this.hasWork()) this.wake();
  }

  /** Registers a promise to settle when the next start, stop or kill completes (rejected on a fault). */
  listen(kind: ListenerKind, listener: Listener): void {
    const extras = this.more();
    extras.listeners ??= { start: undefined, stop: undefined, kill: undefined };
    const listeners = extras.listeners[kind];
    if (listeners === undefined) extras.listeners[kind] = [listener];
    else listeners.push(listener);
  }

  /**
   * Destroys a component that never started (or is passive) without running `onKill`: used by system
   * shutdown for components it does not own. Queued work becomes dead letters.
   */
  destroyQuietly(): void {
    if (this.isFaultyOrDestroyed()) return;
    this.status = 'destroyed';
    this.becomeDestroyed();
  }

  /**
   * Ends this component without waiting for it any longer (system shutdown's grace period ran out,
   * e.g. it blocks on something that never settles; or `killSystem`, `quietly`): destroyed without
   * `onKill`.
   */
  abandon(quietly = false): void {
    if (this.status === 'destroying' || this.status === 'destroyed') return;
    // A component that never blocked has no extras, and no block to abandon.
    if (this.extras !== undefined) this.extras.block = undefined;
    if (!quietly) {
      const blocked = (this.flags & BLOCKED) !== 0;
      this.log.warn(
        { blocked },
        `Component did not end within the shutdown grace period; destroyed without ${blocked ? 'waiting for what it blocks on' : 'onKill'}`,
      );
    }
    if (this.state === 'faulty') {
      this.finishRecovery();
      return;
    }
    this.status = 'destroyed';
    this.becomeDestroyed();
  }

  /**
   * The fault was handled (or shutdown gave up on it): what is still queued becomes dead letters,
   * later sends too, and the system forgets this component.
   */
  finishRecovery(): void {
    if (this.status === 'faulty-awaiting-recovery') this.status = 'faulty';
    this.drainToDeadLetters('faulty');
    this.host.componentEnded(this, this.state === 'faulty' ? 'faulty' : 'destroyed');
  }

  /**
   * Hands this faulted component's place to `replacement` (made by `replaceWith`), which takes
   * `recoveryFunction` too unless it set its own.
   */
  handOverTo(replacement: Component<ComponentDefinition<unknown>>, recoveryFunction: RecoveryFunction): void {
    const next = coreOf(replacement);
    this.transferTo(next);
    if (next.recoveryFunction === defaultRecoveryFunction) next.recoveryFunction = recoveryFunction;
  }

  /**
   * Hands this faulted component's place to `next` (its replacement): queued messages and port
   * events, port connections, its actor reference and its paths.
   */
  private transferTo(next: ComponentCore): void {
    while (this.messageCount > 0) next.tell(this.shiftMessage());
    for (const end of this.portList()) {
      const twin =
        end.kind === 'provided' ? next.providedPort(end.type as never) : next.requiredPort(end.type as never);
      const queue = end.queue;
      if (twin === undefined) {
        while (queue.size > 0) this.host.deadLetter(this, queue.shift(), 'faulty');
        continue;
      }
      const twinEnd = twin as unknown as PortEnd<unknown, unknown>;
      end.moveConnectionsTo(twinEnd);
      while (queue.size > 0) next.enqueuePortEvent(twinEnd, queue.shift());
    }
    this.pendingPortEvents = 0;
    // One reference object for the whole line: taken before or after the fault, from the old
    // component or the new one, it reaches the latest replacement.
    const ref = this.ownRef ?? next.lineRef();
    repoint(ref, next);
    next.ownRef ??= ref;
    this.ownRef = ref;
    // One unique path for the whole line too: the replacement answers to the faulted one's path (which
    // reaches it after the transfer) instead of registering an id of its own, so a line restarted N
    // times holds one id, and no restart walks its predecessors' ids.
    const path = this.extras?.ownPath;
    if (path !== undefined) {
      const extras = next.more();
      extras.ownPath ??= path;
    }
    this.host.dispatcher.transfer(this, next);
  }

  /** Turns everything still queued into dead letters. */
  drainToDeadLetters(reason: 'faulty' | 'destroyed'): void {
    while (this.messageCount > 0) this.host.deadLetter(this, this.shiftMessage(), reason);
    // Nothing is queued here again (later messages are dead letters): what still points at this
    // ended core (an actor reference) keeps no empty array alive.
    this.messages = NO_MESSAGES;
    this.messageHead = 0;
    if (this.pendingPortEvents > 0) {
      for (const end of this.portList()) {
        const queue = end.queue;
        while (queue.size > 0) this.host.deadLetter(this, queue.shift(), reason);
      }
      this.pendingPortEvents = 0;
    }
    this.dropControl();
  }

  // ---- ports -------------------------------------------------------------------------------------

  /** Declares a port end of this component (from a definition's field initialiser). */
  addPort<In, Out>(
    kind: 'provided' | 'required',
    type: AnyPort,
    handler: (event: In) => HandlerReturn,
  ): PortEnd<In, Out> {
    if (typeof handler !== 'function') {
      throw new TypeError(`Expected the ${type.name} handler to be a function, got ${typeof handler}`);
    }
    const ports = this.portList();
    if (ports.some((end) => end.type === type && end.kind === kind)) {
      throw new TypeError(`${this.typeName} already has a ${kind} ${type.name} port`);
    }
    const end = makePortEnd<In, Out>(kind, type, this, handler);
    this.ports = ports.length === 0 ? end : [...ports, end];
    return end;
  }

  /** This component's port ends, in declaration order (for an inspector's port graph). */
  portEnds(): readonly PortEnd<unknown, unknown>[] {
    return this.portList();
  }

  /** Messages and port events queued and not handled yet (for an inspector; read when sampling). */
  get queuedCount(): number {
    return this.messageCount + this.pendingPortEvents;
  }

  /** This component's provided port of `type`, if it has one. */
  providedPort<Request, Indication>(
    type: Port<Request, Indication>,
  ): ProvidedPort<Request, Indication> | undefined {
    return this.portList().find((end) => end.type === type && end.kind === 'provided') as
      | ProvidedPort<Request, Indication>
      | undefined;
  }

  /** This component's required port of `type`, if it has one. */
  requiredPort<Request, Indication>(
    type: Port<Request, Indication>,
  ): RequiredPort<Request, Indication> | undefined {
    return this.portList().find((end) => end.type === type && end.kind === 'required') as
      | RequiredPort<Request, Indication>
      | undefined;
  }

  /** Queues a port event on one of this component's ports; to a faulty or destroyed one, a dead letter. */
  enqueuePortEvent(end: PortEnd<unknown, unknown>, event: unknown): void {
    // Kept small (the active case only) so that V8 inlines the whole send path into port handlers.
    if (this.status !== 'active') {
      this.enqueuePortEventWhileInactive(end, event);
      return;
    }
    end.queue.push(event);
    this.pendingPortEvents++;
    this.wake();
  }

  private enqueuePortEventWhileInactive(end: PortEnd<unknown, unknown>, event: unknown): void {
    if (this.enqueue(end.queue, event)) this.pendingPortEvents++;
  }

  // ---- timers ------------------------------------------------------------------------------------

  /** Schedules a timer whose handler runs on this component (arguments validated by the caller). */
  scheduleTimer(
    delayMs: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => HandlerReturn,
  ): ScheduledTimer {
    // One check on the way to the facility; the rest only for a component that is not running.
    if (this.isFaultyOrDestroyed()) {
      if (this.hasEnded(periodMs === 0 ? 'scheduleOnce' : 'schedulePeriodic')) {
        // A handle that is already cancelled: cancelling it is a no-op, and its handler never runs.
        return { state: 'cancelled', core: this, handler, periodMs, id: -1 };
      }
      throw new KompactError(
        this.state === 'faulty' ? 'COMPONENT_FAULTY' : 'COMPONENT_DESTROYED',
        `Cannot schedule a timer on component ${this.id} (${this.typeName}): it is ${this.state}`,
      );
    }
    return this.host.timers.schedule(this, delayMs, periodMs, handler);
  }

  /** Cancels one of this component's timers; a no-op for another component's or a finished one. */
  cancelTimer(timer: ScheduledTimer): void {
    if (timer.core !== this || timer.state !== 'pending') return;
    this.host.timers.cancel(timer);
  }

  /** Called by the timer facility when `timer` falls due. */
  enqueueTimer(timer: ScheduledTimer): void {
    const state = this.status;
    if (state !== 'active' && state !== 'passive') {
      this.host.timers.cancel(timer);
      return;
    }
    this.timerQueue ??= new RingBuffer(4);
    this.timerQueue.push(timer);
    if (state === 'active') this.wake();
  }

  /** Cancels every timer of this component at once (it faulted or was destroyed). */
  private releaseTimers(): void {
    this.host.timers.cancelAllOf(this);
    this.timerQueue = undefined;
  }

  // ---- the turn -----------------------------------------------------------------------------------

  runTurn(): number {
    const status = this.status;
    if (status !== 'active' && status !== 'passive') {
      this.flags &= ~SCHEDULED;
      return 0;
    }
    let count = 0;
    // Read afresh after each event: a handler may queue another (a suicide in onStart).
    for (let control = this.control; control !== undefined; control = this.control) {
      let event: ControlEvent;
      if (control instanceof RingBuffer) {
        event = control.shift() as ControlEvent;
        // An idle component keeps no control queue.
        if (control.size === 0) this.control = undefined;
      } else {
        event = control;
        this.control = undefined;
      }
      count++;
      if (!this.handleControl(event)) return this.endTurn(count);
    }
    if (this.status !== 'active') return this.endTurn(count);
    const host = this.host;
    const throughput = host.throughput;
    const timerQueue = this.timerQueue;
    if (timerQueue !== undefined && timerQueue.size > 0) {
      count = this.runTimers(timerQueue, count, throughput);
      if (count < 0) return this.endTurn(-count);
    }
    // Actor messages up to maxMessages, then port events, then messages again up to throughput. The
    // message loop is written here, not in a method of its own, so that a thrown `Error` (the usual
    // fault) captures one stack frame fewer: capturing costs per frame, and a crash loop pays it per fault.
    const definition = this.definition;
    let limit = host.maxMessages;
    for (let isFirstPass = true; ; isFirstPass = false) {
      while (count < limit && this.messageCount > 0) {
        const message = this.shiftMessage();
        count++;
        let result: HandlerReturn;
        try {
          if (message instanceof AskCarrier) {
            result = definition.receiveLocal(
              (message instanceof AskEnvelope ? message.message : message) as never,
            );
            // Held from now until answered: if this component ends first, the asker is told.
            holdAsk(this, AskCarrier.promiseOf(message));
          } else if (message instanceof NetMessage) {
            // Taken: it no longer holds back its connection's acknowledgements.
            message.release();
            result = definition.receiveNetwork(message);
          } else result = definition.receiveLocal(message as never);
        } catch (error) {
          // Held as well: a benign HandlerError thrown after keeping the ask carries on.
          if (message instanceof AskCarrier) holdAsk(this, AskCarrier.promiseOf(message));
          this.thrown(error, 'message', message);
          return this.endTurn(count);
        }
        if (result !== undefined && !this.continueAfter(result, 'message', message))
          return this.endTurn(count);
      }
      if (!isFirstPass) {
        // Checked here, at the turn's usual end, not in `endTurn` (inlined at every exit of the turn).
        if (this.control === KILL && count < throughput) return this.killInTurn(count);
        return this.endTurn(count);
      }
      if (this.pendingPortEvents > 0) {
        const ports = this.ports as PortEnd<unknown, unknown> | PortEnd<unknown, unknown>[];
        if (Array.isArray(ports)) {
          count = this.runPortsRoundRobin(ports, count, throughput);
          if (count < 0) return this.endTurn(-count);
        } else {
          // One port (the usual case): no round robin to keep. Written here rather than in a method
          // so that V8's inlining budget for the turn goes to the handlers and what they send.
          const sole = ports;
          const queue = sole.queue;
          while (count < throughput && queue.size > 0) {
            const event = queue.shift();
            this.pendingPortEvents--;
            count++;
            let result: HandlerReturn;
            try {
              result = sole.deliver(event);
            } catch (error) {
              this.thrown(error, 'message', undefined);
              return this.endTurn(count);
            }
            if (result !== undefined && !this.continueAfter(result, 'message', undefined))
              return this.endTurn(count);
          }
        }
      }
      limit = throughput;
    }
  }

  // The run* loops return the new count, negated when the turn must end (a fault, a block, a kill).

  private runTimers(queue: RingBuffer<ScheduledTimer>, count: number, limit: number): number {
    const definition = this.definition;
    while (count < limit && queue.size > 0) {
      const timer = queue.shift() as ScheduledTimer;
      if (timer.state === 'cancelled') continue;
      count++;
      if (timer.periodMs === 0) this.host.timers.fired(timer);
      let result: HandlerReturn;
      try {
        // The facility holds handlers without their type; scheduleTimer took this one as returning HandlerReturn.
        result = timer.handler.call(definition, timer) as HandlerReturn;
      } catch (error) {
        this.thrown(error, 'message', undefined);
        return -count;
      }
      if (result !== undefined && !this.continueAfter(result, 'message', undefined)) return -count;
    }
    return count;
  }

  private runPortsRoundRobin(ports: PortEnd<unknown, unknown>[], count: number, limit: number): number {
    const portCount = ports.length;
    const extras = this.more();
    let cursor = extras.portCursor;
    while (count < limit && this.pendingPortEvents > 0) {
      const end = ports[cursor] as PortEnd<unknown, unknown>;
      if (++cursor === portCount) cursor = 0;
      const queue = end.queue;
      if (queue.size === 0) continue;
      const event = queue.shift();
      this.pendingPortEvents--;
      count++;
      let result: HandlerReturn;
      try {
        result = end.deliver(event);
      } catch (error) {
        extras.portCursor = cursor;
        this.thrown(error, 'message', undefined);
        return -count;
      }
      if (result !== undefined && !this.continueAfter(result, 'message', undefined)) {
        extras.portCursor = cursor;
        return -count;
      }
    }
    extras.portCursor = cursor;
    return count;
  }

  private endTurn(count: number): number {
    // A blocked component stays marked scheduled, so nothing wakes it until its block settles.
    const flags = this.flags;
    if ((flags & BLOCKED) !== 0) return count;
    if (this.hasWork()) this.host.scheduler.schedule(this);
    else this.flags = flags & ~SCHEDULED;
    return count;
  }

  /**
   * Runs a kill asked for during this turn (a handler's `suicide`, the usual end of a short-lived
   * component) at the end of the turn, within its budget, rather than in a turn of its own: it would
   * run first in the next turn anyway, so the order of the component's own events is the same (only
   * other components' turns no longer come between); and spawn churn saves a trip round the ready
   * queue per component.
   */
  private killInTurn(count: number): number {
    this.dropControl();
    this.handleControl(KILL);
    return this.endTurn(count + 1);
  }

  private hasWork(): boolean {
    const control = this.control;
    const state = this.status;
    if (state !== 'active') return state === 'passive' && control !== undefined;
    const timerQueue = this.timerQueue;
    return (
      this.messageCount > 0 ||
      this.pendingPortEvents > 0 ||
      control !== undefined ||
      (timerQueue !== undefined && timerQueue.size > 0)
    );
  }

  private handleControl(event: ControlEvent): boolean {
    const definition = this.definition;
    switch (event.kind) {
      case 'start': {
        if (this.status === 'active') return this.complete('start');
        this.status = 'active';
        const onStart = definition.onStart;
        return onStart === noStart ? this.complete('start') : this.invoke(onStart, 'start');
      }
      case 'stop': {
        this.status = 'passive';
        const onStop = definition.onStop;
        return onStop === noStop ? this.complete('stop') : this.invoke(onStop, 'stop');
      }
      case 'kill': {
        this.status = 'destroying';
        const onKill = definition.onKill;
        return onKill === noKill ? this.complete('kill') : this.invoke(onKill, 'kill');
      }
      case 'spawn':
        this.runSpawned(event.future);
        return this.state !== 'faulty';
      case 'future-resolved':
        return this.continueAfter(event.result, 'future', undefined);
      case 'future-rejected':
        return this.thrown(event.error, 'future', undefined);
      case 'saved': {
        const settled = this.extras?.settledSaves as RingBuffer<unknown>;
        const onSaved = settled.shift() as OnSaved;
        const outcome = settled.shift() as SaveOutcome;
        let result: HandlerReturn;
        try {
          result = onSaved.call(definition, outcome);
        } catch (error) {
          return this.thrown(error, 'future', undefined);
        }
        return this.continueAfter(result, 'future', undefined);
      }
    }
  }

  private runSpawned(future: () => PromiseLike<HandlerResult>): void {
    let promise: PromiseLike<HandlerResult>;
    try {
      promise = future.call(this.definition);
    } catch (error) {
      this.thrown(error, 'future', undefined);
      return;
    }
    if (!isThenable(promise)) {
      this.continueAfter(promise, 'future', undefined);
      return;
    }
    promise.then(
      (result) => this.enqueueControl({ kind: 'future-resolved', result }),
      (error: unknown) => this.enqueueControl({ kind: 'future-rejected', error }),
    );
  }

  /** Calls a lifecycle hook of the definition and classifies its result. */
  private invoke(hook: () => HandlerReturn, phase: Phase): boolean {
    let result: HandlerReturn;
    try {
      result = hook.call(this.definition);
    } catch (error) {
      return this.thrown(error, phase, undefined);
    }
    return this.continueAfter(result, phase, undefined);
  }

  /** A thrown or rejected value: a `HandlerError` keeps its class, anything else is a panic. */
  private thrown(error: unknown, phase: Phase, inFlight: unknown): boolean {
    if (error instanceof HandlerError) return this.continueAfter(error, phase, inFlight);
    this.fault({ kind: 'panic', error }, inFlight);
    return false;
  }

  /** Classifies a handler's result; returns whether the turn may go on. */
  private continueAfter(result: unknown, phase: Phase, inFlight: unknown): boolean {
    if (result === undefined || result === Handled.Ok) return this.complete(phase);
    if (result instanceof HandlerError) {
      if (phase === 'secondary-kill') {
        if (result.kind === 'benign') {
          this.log.warn({ err: result.error }, `Component handler reported a ${result.message}`);
        } else {
          this.log.error(
            { err: result.error },
            `onKill after Handled.Shutdown reported an ${result.message} (ignored)`,
          );
        }
        return this.complete(phase);
      }
      switch (result.kind) {
        case 'benign':
          this.log.warn({ err: result.error }, `Component handler reported a ${result.message}`);
          return this.complete(phase);
        case 'recoverable':
          this.fault({ kind: 'handler', error: result.error }, inFlight);
          return false;
        case 'unrecoverable':
          this.log.error({ err: result.error }, `Component handler reported an ${result.message}`);
          if (inFlight !== undefined)
            dropAskIn(inFlight, 'the component was destroyed while handling this ask');
          this.status = 'destroyed';
          this.becomeDestroyed();
          return false;
      }
    }
    if (isThenable(result)) {
      this.block(result, phase, inFlight);
      return false;
    }
    const handled = result as Handled;
    switch (handled.kind) {
      case 'shutdown':
        if (phase === 'kill' || phase === 'secondary-kill') return this.complete(phase);
        this.log.debug('Component shutting down via Handled.Shutdown');
        this.status = 'destroying';
        return this.invoke(this.definition.onKill, 'secondary-kill');
      case 'block-on': {
        let future: PromiseLike<HandlerResult>;
        try {
          future = handled.future();
        } catch (error) {
          return this.thrown(error, phase, inFlight);
        }
        if (!isThenable(future)) return this.continueAfter(future, phase, inFlight);
        this.block(future, phase, inFlight);
        return false;
      }
      default:
        return this.complete(phase);
    }
  }

  private block(future: PromiseLike<unknown>, phase: Phase, inFlight: unknown): void {
    this.flags |= BLOCKED | SCHEDULED;
    const extras = this.more();
    const settler = extras.block ?? this.newBlockSettler(extras);
    settler.phase = phase;
    settler.inFlight = inFlight;
    // A native promise settles once and never synchronously; any other thenable is adopted by one, so
    // that a thenable calling back twice, or at once, cannot settle a block that is not its own.
    const promise = future instanceof Promise ? future : Promise.resolve(future);
    promise.then(settler.resolved, settler.rejected);
    // An onKill that never settles must not hold its kill forever.
    if (phase === 'kill') this.armKillGrace();
  }

  /** Makes this component's settler (on its first block, or its first after an abandoned one). */
  private newBlockSettler(extras: CoreExtras): BlockSettler {
    const settler: BlockSettler = new BlockSettler(
      (result) => this.settleBlock(settler, result, false),
      (error: unknown) => this.settleBlock(settler, error, true),
    );
    extras.block = settler;
    return settler;
  }

  /** The promise a component blocks on settled: carry on as its handler's result, unless abandoned. */
  private settleBlock(settler: BlockSettler, value: unknown, isRejected: boolean): void {
    if (this.extras?.block !== settler || (this.flags & BLOCKED) === 0) return;
    const { phase, inFlight } = settler;
    // The settler outlives the block: it must not keep the message alive.
    settler.inFlight = undefined;
    this.disarmKillGrace();
    this.flags &= ~(BLOCKED | SCHEDULED);
    if (isRejected) this.thrown(value, phase, inFlight);
    else this.continueAfter(value, phase, inFlight);
    if (this.hasWork()) this.wake();
  }

  /** A handler finished normally: complete the lifecycle transition it belonged to. */
  private complete(phase: Phase): boolean {
    switch (phase) {
      case 'message':
      case 'future':
        return true;
      case 'start':
        this.settle('start');
        return this.status === 'active';
      case 'stop':
        this.settle('stop');
        return true;
      case 'kill':
      case 'secondary-kill':
        this.becomeDestroyed();
        return false;
    }
  }

  private settle(kind: ListenerKind): void {
    const extras = this.extras;
    const all = extras?.listeners;
    if (all === undefined) return;
    const listeners = all[kind];
    if (listeners === undefined) return;
    all[kind] = undefined;
    if (all.start === undefined && all.stop === undefined && all.kill === undefined)
      (extras as CoreExtras).listeners = undefined;
    for (const listener of listeners) listener.resolve();
  }

  /** Rejects every pending notify promise with `PROMISE_DROPPED` (`except`'s listeners resolve). */
  private rejectListeners(what: 'faulted' | 'was destroyed', except?: ListenerKind): void {
    const extras = this.extras;
    const all = extras?.listeners;
    if (all === undefined) return;
    (extras as CoreExtras).listeners = undefined;
    const error = new KompactError('PROMISE_DROPPED', `component ${this.id} (${this.typeName}) ${what}`);
    for (const kind of ['start', 'stop', 'kill'] as const) {
      const listeners = all[kind];
      if (listeners === undefined) continue;
      for (const listener of listeners) {
        if (kind === except) listener.resolve();
        else listener.reject(error);
      }
    }
  }

  private becomeDestroyed(): void {
    this.status = 'destroyed';
    this.releaseTimers();
    this.disarmKillGrace();
    if (this.extras?.heldAsks !== undefined)
      dropHeldAsks(this, `component ${this.id} (${this.typeName}) was destroyed before answering this ask`);
    if (this.extras?.listeners !== undefined) this.rejectListeners('was destroyed', 'kill');
    this.drainToDeadLetters('destroyed');
    this.host.componentEnded(this, 'destroyed');
  }

  private fault(fault: Fault, inFlight: unknown): void {
    this.status = 'faulty-awaiting-recovery';
    this.releaseTimers();
    const context = new FaultContext(this, this.typeName, fault);
    // The child logger and the description are only made when someone will read them.
    if (this.host.logger.isLevelEnabled('error'))
      this.log.error({ err: fault.error }, `Component ${context.description}`);
    if (inFlight !== undefined) dropAskIn(inFlight, 'the component faulted while handling this ask');
    if (this.extras?.heldAsks !== undefined)
      dropHeldAsks(this, `component ${this.id} (${this.typeName}) faulted before answering this ask`);
    this.rejectListeners('faulted');
    const recoveryFunction = this.recoveryFunction;
    this.recoveryFunction = defaultRecoveryFunction;
    this.host.supervisor.faulted(this, context, recoveryFunction);
  }
}
