import type { PeerName } from '../../shared/peers/names.js';

/** Heap bytes per idle actor of each peer (`count` actors; the process needs `--expose-gc`). */
export const bytesPerIdleActor: Record<PeerName, (count: number) => Promise<number>> = {
  nact: (count) => import('./nact.js').then((m) => m.bytesPerIdleActor(count)),
  'xstate-transition': (count) => import('./xstate-transition.js').then((m) => m.bytesPerIdleActor(count)),
  'xstate-machine': (count) => import('./xstate-machine.js').then((m) => m.bytesPerIdleActor(count)),
  effect: (count) => import('./effect.js').then((m) => m.bytesPerIdleActor(count)),
  comedy: (count) => import('./comedy.js').then((m) => m.bytesPerIdleActor(count)),
};

/** How a peer's Memory implementation deviates from the benchmark's wording or what it relies on. */
export const remarks: Readonly<Record<string, string>> = {
  'xstate-transition':
    'xstate: each idle actor is a root actor (`createActor(...).start()`), which carries its own actor system; children spawned into one parent would cost about 1.7 KB each, but spawning n of them is quadratic in xstate (the parent’s children map is copied per spawn).',
  'xstate-machine':
    'xstate: each idle actor is a root actor (`createActor(...).start()`), which carries its own actor system; children spawned into one parent are quadratic to create in xstate.',
  comedy:
    'comedy: the idle actors form a two-level tree (√n groups under the root) because destroying n children of one parent is quadratic in comedy.',
};
