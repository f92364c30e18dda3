/**
 * The delays of the timer benchmark, the same for kompact-ts and raw `setTimeout`: `count` values in
 * 1–`maxDelayMs` ms from a fixed linear congruential sequence, so deadlines arrive in no particular
 * order (as from many independent components) and every run schedules the same ones.
 */
export function timerDelays(count: number, maxDelayMs: number): Int32Array {
  const delays = new Int32Array(count);
  let state = 0x2545f491;
  for (let i = 0; i < count; i++) {
    // Numerical Recipes' LCG constants, modulo 2^32.
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    delays[i] = 1 + (state % maxDelayMs);
  }
  return delays;
}

/** How many of `count` timers fire when every second one (odd indices) is cancelled. */
export function timersLeft(count: number): number {
  return count - Math.floor(count / 2);
}

/** Waits `ms` on the host clock (outside timed regions: lets stray timers show up before a check). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
