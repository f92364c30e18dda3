import type { Benchmark } from '../../../infra/harness.js';
import type { PeerLoaders } from '../../shared/peers/names.js';
import type { FibonacciParams } from '../params.js';

// B3's JS peers, beside its spec; each loader imports its module only when called, so a point
// process loads one peer library only.

/** The peer implementations of B3; a peer missing here has its reason in `notes`. */
export const loaders: PeerLoaders<Benchmark<FibonacciParams>> = {
  nact: () => import('./nact.js').then((m) => m.create()),
  'xstate-machine': () => import('./xstate-machine.js').then((m) => m.create()),
  effect: () => import('./effect.js').then((m) => m.create()),
  comedy: () => import('./comedy.js').then((m) => m.create()),
};

/** Why a peer has no implementation of B3 (a table row and a note each). */
export const notes: Readonly<Record<string, string>> = {
  'xstate-transition':
    'xstate transition actors cannot spawn actors (xstate docs, "Transition actor capabilities"), so they cannot express spawn churn; the xstate-machine row spawns from machines.',
};

/** How a peer's B3 implementation deviates from the benchmark's wording or what it relies on. */
export const remarks: Readonly<Record<string, string>> = {
  comedy:
    'comedy: `createChild` is asynchronous (resolves once the child is initialised); children destroy themselves.',
  effect:
    'effect: an actor is a `Queue` plus a fiber forked with `Effect.forkChild`; a finished fiber is a stopped actor.',
  'xstate-machine':
    'xstate-machine: children made with `spawn` in `assign`; an actor stops itself by reaching its final state.',
};
