import { RingBuffer } from '../internal/ring-buffer.js';

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
 * Settled once; `.then` on it queues the drain as a microtask. Not `queueMicrotask`, which makes an
 * `AsyncResource` per call and puts three frames under the drain: a handler that throws an `Error`
 * pays for every frame its stack capture walks.
 */
const RESOLVED = Promise.resolve();

/**
 * Run-to-completion over one ready queue. A runnable is queued once when it gets work; the drain loop
 * runs turns until the queue is empty or the yield budget is spent, then yields once with
 * `setImmediate` and goes on. No promise, closure or macrotask per message.
 */
export class Scheduler {
  private readonly ready = new RingBuffer<Runnable>(64);
  /** `pending`: a drain is queued (microtask or immediate); `draining`: one is running. */
  private phase: 'idle' | 'pending' | 'draining' = 'idle';
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
    let budget = YIELD_BUDGET;
    const observer = this.turnObserver;
    try {
      while (budget > 0) {
        const runnable = this.ready.shift();
        if (runnable === undefined) break;
        const calls = runnable.runTurn();
        budget -= calls > 0 ? calls : 1;
        if (observer !== undefined) observer.turn(runnable, calls);
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

  /** Resolves every `whenIdle` promise (the ready queue just ran empty). */
  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
