import type { PeerName } from '../../shared/peers/names.js';

/**
 * Heap bytes per pending delayed message of the peers that can schedule one (the Timers benchmark's
 * `bytes-per-pending-timer`): one delayed message per entry of `delays` (milliseconds), all to one
 * idle actor; the process needs `--expose-gc`. The others are in `notes`.
 */
export const bytesPerPendingTimer: Readonly<
  Partial<Record<PeerName, (delays: Int32Array) => Promise<number>>>
> = {
  'xstate-machine': (delays) => import('./xstate-machine.js').then((m) => m.bytesPerPendingTimer(delays)),
  effect: (delays) => import('./effect.js').then((m) => m.bytesPerPendingTimer(delays)),
};

/** Why a peer has no implementation of Timers (a table row and a note each). */
export const notes: Readonly<Record<string, string>> = {
  nact: 'nact has no scheduler or delayed dispatch: its API (index.d.ts 7.6.2) has `dispatch` and `query` only, and its only timers are the `query` timeout and `shutdownAfter`; a nact user writes `setTimeout(() => dispatch(ref, msg), ms)`, which is the set-timeout row plus a closure.',
  'xstate-transition':
    'a `fromTransition` actor runs no actions, and xstate’s delayed events are actions of machines (`raise`/`sendTo` with `delay`, `after` transitions); a transition actor can receive a machine’s delayed `sendTo`, which costs what the xstate-machine row shows (the cost is in the sender’s system scheduler, not in the target).',
  comedy:
    'comedy has no scheduler or delayed send for actors (no delay option on `send`/`sendAndReceive`, no timer API in its index.d.ts 2.1.7); a comedy user writes `setTimeout(() => actor.send(...), ms)`, which is the set-timeout row plus a closure.',
};

/** How a peer's Timers implementation deviates from the benchmark's wording or what it relies on. */
export const remarks: Readonly<Record<string, string>> = {
  'xstate-machine':
    "xstate-machine: a scheduler machine invokes the idle target machine and sends it a static event with `sendTo('target', tick, { delay })`, one `schedule` event per timer; xstate’s system scheduler keeps a scheduled-event record, a timer-map entry and a host `setTimeout` per pending send; stopping the scheduler cancels them all.",
  effect:
    'effect: the target is an idle actor (a `Queue` and a fiber in `Queue.take`); each delayed message is a fiber `Effect.runFork(Queue.offer(inbox, tick).pipe(Effect.delay(ms)))`, the fibers kept in a preallocated array and interrupted with `Fiber.interruptAll`.',
};
