/** Where a timer is: waiting for its deadline, cancelled, or (a once-timer) fired. */
export type TimerState = 'pending' | 'cancelled' | 'fired';

/**
 * The handle of a scheduled timer: returned by `scheduleOnce` / `schedulePeriodic`, passed to the
 * timer's handler (the same object, so a handler can tell its timers apart with `===`), and given to
 * `cancelTimer`. `timer instanceof ScheduledTimer` tells a handle from anything else.
 *
 * Kompact: `ScheduledTimer`.
 *
 * @remarks
 * A handle is a plain object made by one object literal in the timer facility, not an instance of a
 * class. V8 allocates the objects of a literal whose objects tend to survive straight into the old
 * generation (allocation-site pretenuring); it never does so for `new SomeClass()`. A pending timer
 * does survive, so as class instances the handles were copied twice each by the young generation's
 * collector, which cost more than all the rest of scheduling.
 */
export interface ScheduledTimer {
  /** Whether the timer is waiting, cancelled, or (once-timers) has fired. */
  readonly state: TimerState;
  /** The period of a periodic timer in ms; 0 for a once-timer. */
  readonly periodMs: number;
  /** @internal The component whose handler runs. */
  readonly core: TimerOwner;
  /**
   * @internal The handler, called by its component with the definition as `this`. Its result is the
   * component's to classify (a `HandlerReturn`); this layer only holds it.
   */
  readonly handler: (timer: ScheduledTimer) => unknown;
  /** @internal Its index in the timer facility's table while it is pending (see `TimerFacility`). */
  readonly id: number;
}

/** @internal Moves `timer` to `state` (the field is read-only to users). */
export function setTimerState(timer: ScheduledTimer, state: TimerState): void {
  (timer as { state: TimerState }).state = state;
}

/**
 * Component cores answer `true` under this symbol (a getter on their prototype, so no field per
 * core): the brand {@link ScheduledTimer}'s `instanceof` looks for, which lets this layer check a
 * handle's `core` without importing the core's class.
 */
export const timerOwnerBrand: unique symbol = Symbol('kompact.timerOwner');

/**
 * What the timer facility needs of the component a timer belongs to: the head of its list of live
 * timers (kept by the facility, so that cancelling all of them needs no set per component), and
 * where an expiry goes. The component core; a type only.
 */
export interface TimerOwner {
  /** Marks an owner for `timer instanceof ScheduledTimer`. */
  readonly [timerOwnerBrand]: true;
  /** @internal Table id of the first of this owner's live timers, or -1; written by the timer facility only. */
  timerHead: number;
  /** Queues `timer`, which fell due, for the owner's next turn (or cancels it if the owner has ended). */
  enqueueTimer(timer: ScheduledTimer): void;
}

/**
 * Tells handles of scheduled timers from anything else, with `instanceof`: an object with the
 * handle's fields whose `core` is a component's. (Handles carry no brand field of their own: every
 * field costs each pending timer 8 bytes and the garbage collector a slot to trace.)
 */
export const ScheduledTimer: { readonly [Symbol.hasInstance]: (value: unknown) => value is ScheduledTimer } =
  Object.freeze({
    [Symbol.hasInstance]: (value: unknown): value is ScheduledTimer =>
      typeof value === 'object' &&
      value !== null &&
      isTimerOwner((value as { readonly core?: unknown }).core) &&
      typeof (value as { readonly id?: unknown }).id === 'number' &&
      typeof (value as { readonly handler?: unknown }).handler === 'function',
  });

/**
 * @internal Makes the handle of a pending timer with table id `id`. The only place handles are made:
 * one literal, so one allocation site for V8 to pretenure.
 */
export function createScheduledTimer(
  core: TimerOwner,
  id: number,
  periodMs: number,
  handler: (timer: ScheduledTimer) => unknown,
): ScheduledTimer {
  return { state: 'pending', core, handler, periodMs, id };
}

function isTimerOwner(core: unknown): boolean {
  return (
    typeof core === 'object' &&
    core !== null &&
    (core as { readonly [timerOwnerBrand]?: unknown })[timerOwnerBrand] === true
  );
}
