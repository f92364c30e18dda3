import type { Scheduler } from '../runtime/scheduler.js';

/**
 * A clock that wants to know the schedulers that run on it (the simulated clock waits for them to
 * go idle) has a method under this symbol; systems call it when they are built.
 */
export const bindScheduler: unique symbol = Symbol('kompact.bindScheduler');

/** A clock with the {@link bindScheduler} hook. */
export interface SchedulerAwareClock {
  [bindScheduler](scheduler: Scheduler): void;
}

/** Whether `clock` has the {@link bindScheduler} hook. */
export function isSchedulerAware(clock: object): clock is SchedulerAwareClock {
  return typeof (clock as Partial<SchedulerAwareClock>)[bindScheduler] === 'function';
}
