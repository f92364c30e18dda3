// Running a test body against a fresh system on a simulated clock.
import type { KompactConfig, KompactSystem } from '../../src/index.js';
import { SimulatedClock, withSystem } from '../../src/testing/index.js';
import { openGates } from './promises.js';

/** Runs `body` with a fresh system on a simulated clock; `clock.settle()` waits until it is idle. */
export function withClock<T>(
  body: (system: KompactSystem, clock: SimulatedClock) => Promise<T>,
  configure: (config: KompactConfig) => KompactConfig = (config) => config,
): Promise<T> {
  const clock = new SimulatedClock();
  return withSystem(
    (system) => body(system, clock),
    (config) => configure(config.clock(clock)),
  );
}

/** Like `withClock`, but calls `openGates()` once `body` ends, before the system shuts down. */
export function withGatedClock<T>(
  body: (system: KompactSystem, clock: SimulatedClock) => Promise<T>,
  configure: (config: KompactConfig) => KompactConfig = (config) => config,
): Promise<T> {
  const clock = new SimulatedClock();
  return withSystem(
    async (system) => {
      try {
        return await body(system, clock);
      } finally {
        openGates();
      }
    },
    (config) => configure(config.clock(clock)),
  );
}
