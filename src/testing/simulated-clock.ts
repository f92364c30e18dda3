import { bindScheduler, type IdleReporter, type SchedulerAwareClock } from '../internal/clock-binding.js';
import { describeValue } from '../internal/describe-value.js';
import type { Clock, ClockTimer } from '../timer/clock.js';

interface VirtualTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Rounds of "wait for every scheduler to go idle" before `advance` gives up on a busy system. */
const MAX_SETTLE_ROUNDS = 10_000;

/**
 * Virtual time for tests: nothing fires until {@link SimulatedClock.advance} moves time forward, and
 * `advance` resolves only once everything that fell due, and everything it triggered, has run.
 * Pass it to `KompactConfig.default().clock(clock)`.
 *
 * Kompact: the manual timer (`install_manual_timer`, `advance_by`).
 *
 * @example
 * ```ts
 * const clock = new SimulatedClock();
 * const system = await KompactConfig.default().clock(clock).build();
 * await clock.advance(1000); // one virtual second, no sleeping
 * ```
 */
export class SimulatedClock implements Clock, SchedulerAwareClock {
  #now: number;
  #seq = 0;
  readonly #timers: VirtualTimer[] = [];
  readonly #schedulers = new Set<IdleReporter>();

  /** Starts virtual time at `startMs` (default 0). */
  constructor(startMs = 0) {
    if (!Number.isFinite(startMs))
      throw new TypeError(`Expected \`startMs\` to be a finite number, got ${describeValue(startMs)}`);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    // NaN would sort nowhere and never fire: a caller's bug, shown here instead of a silent hang.
    if (typeof delayMs !== 'number' || Number.isNaN(delayMs)) {
      throw new TypeError(
        `Expected \`delayMs\` to be a number of milliseconds, got ${describeValue(delayMs)}`,
      );
    }
    const timer: VirtualTimer = {
      dueAt: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    const timers = this.#timers;
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((timers[mid] as VirtualTimer).dueAt <= timer.dueAt) lo = mid + 1;
      else hi = mid;
    }
    timers.splice(lo, 0, timer);
    return timer as unknown as ClockTimer;
  }

  clearTimer(timer: ClockTimer): void {
    const entry = timer as unknown as VirtualTimer;
    if (entry.cancelled) return;
    entry.cancelled = true;
    const index = this.#timers.indexOf(entry);
    if (index >= 0) this.#timers.splice(index, 1);
  }

  /** How many host timers are armed on this clock. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer that falls due in time order, and
   * resolves once they, and all the work they caused, have run.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new TypeError(`Expected \`ms\` to be a finite number >= 0, got ${describeValue(ms)}`);
    }
    const target = this.#now + ms;
    await this.#settle();
    for (let next = this.#timers[0]; next !== undefined && next.dueAt <= target; next = this.#timers[0]) {
      this.#timers.shift();
      this.#now = next.dueAt;
      next.cancelled = true;
      next.callback();
      await this.#settle();
    }
    this.#now = target;
    await this.#settle();
  }

  /** Resolves once every system on this clock is idle (no queued turn, no pending microtask work). */
  async settle(): Promise<void> {
    await this.#settle();
  }

  [bindScheduler](scheduler: IdleReporter): void {
    this.#schedulers.add(scheduler);
  }

  async #settle(): Promise<void> {
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      let idle = true;
      for (const scheduler of this.#schedulers) {
        if (!scheduler.isIdle) {
          idle = false;
          await scheduler.whenIdle();
        }
      }
      if (idle) return;
    }
  }
}
