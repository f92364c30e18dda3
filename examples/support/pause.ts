import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../src/index.js';
import { SimulatedClock } from '../../src/testing/index.js';

/**
 * Lets time pass in an example: real sleeping by default, or virtual time when the example runs on a
 * `SimulatedClock` (as its test does).
 */
export function pauseOn(clock: Clock | undefined): (ms: number) => Promise<void> {
  if (clock instanceof SimulatedClock) return (ms) => clock.advance(ms);
  return (ms) => sleep(ms);
}
