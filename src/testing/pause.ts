import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../timer/clock.js';
import { SimulatedClock } from './simulated-clock.js';

/**
 * Lets `ms` of time pass on `clock`: advances a {@link SimulatedClock} (resolving once what fell due has
 * run), and sleeps for real on any other clock or none. One program then runs in real time and, under
 * test, in virtual time.
 *
 * @example
 * ```ts
 * import { KompactConfig, type Clock } from 'kompact-ts';
 * import { pauseOn } from 'kompact-ts/testing';
 *
 * async function run(clock?: Clock): Promise<void> {
 *   const config = KompactConfig.default();
 *   if (clock !== undefined) config.clock(clock);
 *   const system = await config.build();
 *   await pauseOn(clock)(5000); // 5 s: real by default, virtual with a SimulatedClock
 *   await system.shutdown();
 * }
 * ```
 */
export function pauseOn(clock: Clock | undefined): (ms: number) => Promise<void> {
  if (clock instanceof SimulatedClock) return (ms) => clock.advance(ms);
  return (ms) => sleep(ms);
}
