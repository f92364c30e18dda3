import type { Benchmark } from '../../../infra/harness.js';
import type { PeerLoaders } from '../../shared/peers/names.js';
import type { PingPongParams } from '../params.js';

// B1's JS peers, beside its spec; each loader imports its module only when called, so a point
// process loads one peer library only.

/** The peer implementations of B1. */
export const loaders: PeerLoaders<Benchmark<PingPongParams>> = {
  nact: () => import('./nact.js').then((m) => m.create()),
  'xstate-transition': () => import('./xstate-transition.js').then((m) => m.create()),
  'xstate-machine': () => import('./xstate-machine.js').then((m) => m.create()),
  effect: () => import('./effect.js').then((m) => m.create()),
  comedy: () => import('./comedy.js').then((m) => m.create()),
};

/** How a peer's B1 implementation deviates from the benchmark's wording or what it relies on. */
export const remarks: Readonly<Record<string, string>> = {
  comedy:
    'comedy: in-memory actors, fire-and-forget `send` with the sender’s reference in the message (1.5× faster here than `sendAndReceive` replies); comedy has no mailbox, every message is a promise chain.',
  effect:
    'effect: one fiber per actor looping over its own `Queue` (`Queue.take` + `Effect.forever`, written with `pipe`).',
};
