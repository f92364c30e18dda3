import type { Benchmark } from '../../../infra/harness.js';
import type { PeerLoaders } from '../../shared/peers/names.js';
import type { ThroughputPingPongParams } from '../params.js';

// B2's JS peers, beside its spec; each loader imports its module only when called, so a point
// process loads one peer library only.

/** The peer implementations of B2. */
export const loaders: PeerLoaders<Benchmark<ThroughputPingPongParams>> = {
  nact: () => import('./nact.js').then((m) => m.create()),
  'xstate-transition': () => import('./xstate-transition.js').then((m) => m.create()),
  'xstate-machine': () => import('./xstate-machine.js').then((m) => m.create()),
  effect: () => import('./effect.js').then((m) => m.create()),
  comedy: () => import('./comedy.js').then((m) => m.create()),
};
