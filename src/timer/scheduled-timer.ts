import type { ComponentCore } from '../component/component-core.js';
import type { HandlerReturn } from '../component/handled.js';

/** Where a timer is: waiting for its deadline, cancelled, or (a once-timer) fired. */
export type TimerState = 'pending' | 'cancelled' | 'fired';

/**
 * The handle of a scheduled timer: returned by `scheduleOnce` / `schedulePeriodic`, passed to the
 * timer's handler (the same object, so a handler can tell its timers apart with `===`), and given to
 * `cancelTimer`.
 *
 * Kompact: `ScheduledTimer`.
 */
export class ScheduledTimer {
  /** @internal Clock time at which it is next due. */
  deadline: number;
  /** @internal 0 for a once-timer. */
  readonly periodMs: number;
  /** @internal The component whose handler runs. */
  readonly core: ComponentCore;
  /** @internal The handler, called with the definition as `this`. */
  readonly handler: (timer: ScheduledTimer) => HandlerReturn;
  /** @internal Whether the timer sits in the timer facility waiting for its deadline. */
  inWheel = false;
  /** @internal Neighbours in its component's list of timers (released at once when it ends). */
  prevInCore: ScheduledTimer | undefined;
  /** @internal */
  nextInCore: ScheduledTimer | undefined;
  /** @internal Where the timer is (a plain field: ES private fields slow hot objects down after a full GC). */
  status: TimerState = 'pending';

  /** @internal Made by the timer facility. */
  constructor(
    core: ComponentCore,
    deadline: number,
    periodMs: number,
    handler: (timer: ScheduledTimer) => HandlerReturn,
  ) {
    this.core = core;
    this.deadline = deadline;
    this.periodMs = periodMs;
    this.handler = handler;
  }

  /** Whether the timer is waiting, cancelled, or (once-timers) has fired. */
  get state(): TimerState {
    return this.status;
  }

  /** Whether the timer fires every `periodMs`. */
  get isPeriodic(): boolean {
    return this.periodMs > 0;
  }

  /** @internal */
  setState(state: TimerState): void {
    this.status = state;
  }
}
