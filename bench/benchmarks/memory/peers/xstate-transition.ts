import { type Actor, createActor, fromTransition } from 'xstate';
import { heapBytesPerActor } from '../../shared/peers/support.js';

// Bytes per idle xstate transition actor: `count` started `fromTransition` actors (a counter reducer),
// never sent an event.

type Increment = { readonly type: 'increment' };

const counterLogic = fromTransition(
  (state: number, event: Increment) => (event.type === 'increment' ? state + 1 : state),
  0,
);

/** Heap bytes per idle xstate `fromTransition` actor, measured over `count` actors (needs `--expose-gc`). */
export function bytesPerIdleActor(count: number): Promise<number> {
  return heapBytesPerActor(
    count,
    (): Actor<typeof counterLogic> => createActor(counterLogic).start(),
    (actors) => {
      for (const actor of actors) actor.stop();
    },
  );
}
