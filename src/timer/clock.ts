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
  /**
   * Calls `callback` once, `delayMs` from now (never earlier). `delayMs` may exceed `setTimeout`'s
   * 2^31 − 1 ms limit (a long shutdown grace or restart backoff): the clock must still wait that long.
   */
  setTimer(callback: () => void, delayMs: number): ClockTimer;
  /** Disarms a timer from {@link Clock.setTimer}; a no-op for one that already fired or was cleared. */
  clearTimer(timer: ClockTimer): void;
}

/** The longest delay `setTimeout` keeps; longer ones Node turns into 1 ms with a `TimeoutOverflowWarning`. */
const MAX_HOST_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A host timer whose delay is longer than `setTimeout` takes: armed in chunks of at most
 * {@link MAX_HOST_TIMEOUT_MS}, the last of which calls back. Only long delays pay for this object.
 */
class ChunkedTimeout {
  #timeout: NodeJS.Timeout;
  #remainingMs: number;
  readonly #callback: () => void;

  constructor(callback: () => void, delayMs: number) {
    this.#callback = callback;
    this.#remainingMs = delayMs;
    this.#timeout = this.#armNext();
  }

  clear(): void {
    clearTimeout(this.#timeout);
  }

  #armNext(): NodeJS.Timeout {
    // The chunks add up to at least the delay: setTimeout never fires early, so no clock is read.
    const chunk = Math.min(MAX_HOST_TIMEOUT_MS, this.#remainingMs);
    this.#remainingMs -= chunk;
    return setTimeout(this.#onChunk, chunk);
  }

  readonly #onChunk = (): void => {
    if (this.#remainingMs > 0) this.#timeout = this.#armNext();
    else this.#callback();
  };
}

/**
 * The host clock: `performance.now()` and `setTimeout`. Delays of 2^31 ms (about 24.8 days) or more
 * are re-armed in chunks, so they wait their whole length instead of Node's 1 ms.
 *
 * Kompact: the default timer thread's clock.
 */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    if (delayMs > MAX_HOST_TIMEOUT_MS) return new ChunkedTimeout(callback, delayMs) as unknown as ClockTimer;
    return setTimeout(callback, delayMs) as unknown as ClockTimer;
  }

  clearTimer(timer: ClockTimer): void {
    if (timer instanceof ChunkedTimeout) timer.clear();
    else clearTimeout(timer as unknown as NodeJS.Timeout);
  }
}
