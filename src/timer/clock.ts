/** An opaque handle for a host timer armed through a {@link Clock}. */
export type ClockTimer = { readonly __clockTimer: unique symbol };

/**
 * The source of time for a system: everything in the runtime that waits (timers, ask timeouts,
 * rate-limited logs) reads and arms time through it, never through globals.
 *
 * `SystemClock` uses the host's timers; `SimulatedClock` (from `kompact-ts/testing`) advances virtual
 * time on request, so tests never sleep.
 */
export interface Clock {
  /** Milliseconds on this clock's monotonic time line. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now (never earlier). */
  setTimer(callback: () => void, delayMs: number): ClockTimer;
  /** Disarms a timer from {@link Clock.setTimer}; a no-op for one that already fired or was cleared. */
  clearTimer(timer: ClockTimer): void;
}

/** The host clock: `performance.now()` and `setTimeout`. Kompact: the default timer thread's clock. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    return setTimeout(callback, delayMs) as unknown as ClockTimer;
  }

  clearTimer(timer: ClockTimer): void {
    clearTimeout(timer as unknown as NodeJS.Timeout);
  }
}
