/**
 * What a clock may ask of a scheduler it is bound to: whether it is idle, and a promise of its next
 * idle moment. (The runtime's `Scheduler` has both; naming only these keeps this helper at the bottom.)
 */
export interface IdleReporter {
  readonly isIdle: boolean;
  whenIdle(): Promise<void>;
}

/**
 * A clock that wants to know the schedulers that run on it (the simulated clock waits for them to
 * go idle) has a method under this symbol; systems call it when they are built.
 */
export const bindScheduler: unique symbol = Symbol('kompact.bindScheduler');

/** A clock with the {@link bindScheduler} hook. */
export interface SchedulerAwareClock {
  [bindScheduler](scheduler: IdleReporter): void;
}

/** Whether `clock` has the {@link bindScheduler} hook. */
export function isSchedulerAware(clock: object): clock is SchedulerAwareClock {
  return typeof (clock as Partial<SchedulerAwareClock>)[bindScheduler] === 'function';
}
