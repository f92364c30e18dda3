import type { PeerLoaders } from '../../shared/peers/names.js';
import type { CrashLoopBenchmark } from '../../shared/peers/support.js';

// B6's JS peers, beside its spec; each loader imports its module only when called, so a point
// process loads one peer library only.

/** The B6 crash loop's peers; each also records per-fault restart latencies (`latenciesUs`). */
export const loaders: PeerLoaders<CrashLoopBenchmark> = {
  nact: () => import('./nact.js').then((m) => m.create()),
  'xstate-transition': () => import('./xstate-transition.js').then((m) => m.create()),
  'xstate-machine': () => import('./xstate-machine.js').then((m) => m.create()),
  effect: () => import('./effect.js').then((m) => m.create()),
};

/** Why a peer has no implementation of B6 (a table row and a note each). */
export const notes: Readonly<Record<string, string>> = {
  comedy:
    'comedy has no restart for in-memory actors: a throwing handler only rejects the sender’s promise (or is logged) and the same actor goes on with its state; `onCrash: "respawn"` exists only for forked/remote actors, where it starts a new process and loses the state, and forking is outside this suite.',
};

/** How a peer's B6 implementation deviates from the benchmark's wording or what it relies on. */
export const remarks: Readonly<Record<string, string>> = {
  nact: 'nact: `onCrash` returns `ctx.reset` (restart: children stopped, `initialStateFunc` re-run, mailbox kept); reset alone restores the initial state, so the actor checkpoints each state and `initialStateFunc` starts from that checkpoint. `ctx.resume` would keep the state without restarting.',
  'xstate-transition':
    'xstate-transition: a `fromTransition` worker has no supervision of its own; it is invoked by a machine that re-enters its state on `onError` (re-invoking the worker) with the last state seen through `onSnapshot` as input.',
  'xstate-machine':
    'xstate-machine: xstate has no supervisor strategies; the worker machine is invoked by a parent machine that re-enters on `onError` (re-invoking it) with the last state seen through `onSnapshot` as input; senders find the current worker through `system.get(systemId)`.',
  effect:
    'effect: the handler’s throw becomes a failure via `Effect.try`; `Effect.retry(Schedule.forever)` restarts the actor loop on the same fiber and queue; the state is in a `Ref` outside the retried loop.',
};
