import { RingBuffer } from '../internal/ring-buffer.js';
import { type Clock, SystemClock } from '../timer/clock.js';

/** Something the scheduler runs a turn of: a component core, or the supervisor. */
export interface Runnable {
  /**
   * Runs one turn and returns how many handler calls it made (the scheduler's yield budget). The
   * runnable re-queues itself with {@link Scheduler.schedule} when it still has work.
   */
  runTurn(): number;
}

/**
 * Told of every turn while set on a scheduler ({@link Scheduler.turnObserver}): how an inspector counts
 * handler calls per component without a field on the component and without work per message.
 */
export interface TurnObserver {
  /** `runnable` ran a turn of `calls` handler calls. */
  turn(runnable: Runnable, calls: number): void;
}

/** Handler calls in one drain before the scheduler yields to the event loop (I/O and host timers). */
const YIELD_BUDGET = 2048;

/**
 * How long one drain may hold the event loop, in milliseconds of its clock, before it yields even with
 * handler calls left in its budget. Cheap turns spend the budget first (2,048 of a ping-pong's take
 * about 70 µs); slow ones (10,000 async handlers each starting a snapshot save, ~3 µs a turn) used to
 * hold the loop for 6 ms and more, late for every host timer and socket.
 */
const DRAIN_SLICE_MS = 1;

/** The clock of schedulers not told the system's ({@link Scheduler.useClock}). */
const HOST_CLOCK = new SystemClock();

/**
 * Settled once; `.then` on it queues the drain as a microtask. Not `queueMicrotask`, which makes an
 * `AsyncResource` per call and puts three frames under the drain: a handler that throws an `Error`
 * pays for every frame its stack capture walks.
 */
const RESOLVED = Promise.resolve();

/**
 * Run-to-completion over one ready queue. A runnable is queued once when it gets work; the drain loop
 * runs turns until the queue is empty, the yield budget is spent or its time slice is up, then yields
 * once with `setImmediate` and goes on. No promise, closure or macrotask per message.
 *
 * @remarks Time is the system's clock: on a `SimulatedClock`, which stands still while handlers run,
 * only the budget ends a drain, so tests see the same turns in the same order on every run.
 */
export class Scheduler {
  private readonly ready = new RingBuffer<Runnable>(64);
  /**
   * `pending`: a drain is queued (microtask or immediate); `draining`: one is running; `held`: turns
   * wait for {@link Scheduler.release} (a socket read is being delivered).
   */
  private phase: 'idle' | 'held' | 'pending' | 'draining' = 'idle';
  private idleWaiters: (() => void)[] = [];
  /**
   * The last yield's `Immediate`, kept so that one object of its hidden class is always alive: V8
   * discards optimised code that embeds a hidden class no live object has, and `drain` (which inlines
   * `setImmediate`) was thrown away by every full collection that ran while no yield was pending.
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: written only, to keep the object alive
  private lastYield: NodeJS.Immediate | undefined;
  /**
   * Told of every turn while set (an inspector is attached); read once per drain, so the drain loop
   * pays one comparison per turn, and nothing per message, when it is unset.
   */
  turnObserver: TurnObserver | undefined = undefined;
  // Bound, not an arrow function: a bound function adds no stack frame of its own.
  private readonly drainNow: () => void = this.drain.bind(this);

  /** What drains read time from: the host's until the system hands over its own ({@link useClock}). */
  private clock: Clock = HOST_CLOCK;

  /** Times drains on `clock`, the system's (a `SimulatedClock` in tests). */
  useClock(clock: Clock): void {
    this.clock = clock;
  }

  /** Queues `runnable` for a turn. The caller guarantees it is not queued already. */
  schedule(runnable: Runnable): void {
    this.ready.push(runnable);
    if (this.phase === 'idle') this.requestDrain();
  }

  /** Queues a drain as a microtask (kept out of `schedule`, which is on every message's path). */
  private requestDrain(): void {
    this.phase = 'pending';
    void RESOLVED.then(this.drainNow);
  }

  /**
   * Holds the drain while the caller delivers a batch of messages (a socket read): turns scheduled
   * until {@link Scheduler.release} run in it, not in a microtask. Does nothing unless the scheduler is
   * idle (a drain that is running or queued, a yield's included, keeps its own timing).
   */
  hold(): void {
    if (this.phase === 'idle') this.phase = 'held';
  }

  /**
   * Runs, now, the turns scheduled since {@link Scheduler.hold}. A socket's `data` handler calls it at
   * the end of the read, so the read's turns run, and their replies can be written, inside that
   * handler, as a plain `node:net` echo answers: not after Node's stream bookkeeping and `nextTick`
   * queue, which run ahead of microtasks (about 1.5 µs of each side of a network round trip), and
   * without a microtask per read.
   */
  release(): void {
    if (this.phase !== 'held') return;
    if (this.ready.size > 0) {
      this.drain();
    } else {
      this.phase = 'idle';
      if (this.idleWaiters.length > 0) this.releaseIdleWaiters();
    }
  }

  /** Whether no turn is queued or running. */
  get isIdle(): boolean {
    return this.ready.size === 0 && this.phase !== 'draining';
  }

  /** Resolves once the ready queue is empty (now, or after the current drain). */
  whenIdle(): Promise<void> {
    if (this.ready.size === 0 && this.phase === 'idle') return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    this.phase = 'draining';
    try {
      const observer = this.turnObserver;
      let budget = YIELD_BUDGET;
      // The first turn, then the clock: a drain of one turn (a reply off a socket) reads no clock.
      let readAt = YIELD_BUDGET - 1;
      this.sliceStartMs = -1;
      // One loop for the whole drain: the turn loop entered more than once per drain (once before the
      // first clock read, again after each) cost every turn of a ping-pong 15-20 instructions.
      while (budget > 0) {
        const runnable = this.ready.shift();
        if (runnable === undefined) break;
        const calls = runnable.runTurn();
        budget -= calls > 0 ? calls : 1;
        if (observer !== undefined) observer.turn(runnable, calls);
        if (budget <= readAt) {
          readAt = this.nextRead(budget);
          if (readAt < 0) break;
        }
      }
    } finally {
      if (this.ready.size > 0) {
        this.phase = 'pending';
        this.lastYield = setImmediate(this.drainNow);
      } else {
        this.phase = 'idle';
        if (this.idleWaiters.length > 0) this.releaseIdleWaiters();
      }
    }
  }

  /** When this drain's slice began on the clock (after its first turn), or -1 before that. */
  private sliceStartMs = -1;
  /** The budget left when the slice began. */
  private sliceBudget = 0;

  /**
   * Reads the clock at `budget` handler calls left: returns the budget at which to read it next, or
   * -1 when the slice is up. The slice is timed from the first read (the first turn is not counted),
   * read again after one more call, then about halfway to the slice's end at the pace of the calls so far.
   */
  private nextRead(budget: number): number {
    if (this.ready.size === 0) return budget - 1;
    const nowMs = this.clock.now();
    if (this.sliceStartMs < 0) {
      this.sliceStartMs = nowMs;
      this.sliceBudget = budget;
      return budget - 1;
    }
    const elapsedMs = nowMs - this.sliceStartMs;
    if (elapsedMs >= DRAIN_SLICE_MS) return -1;
    const step = ((DRAIN_SLICE_MS - elapsedMs) * (this.sliceBudget - budget)) / (2 * elapsedMs);
    return step >= budget ? 0 : budget - (step < 1 ? 1 : step | 0);
  }

  /** Resolves every `whenIdle` promise (the ready queue just ran empty). */
  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
