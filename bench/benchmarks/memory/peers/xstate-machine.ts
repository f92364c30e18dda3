import { type Actor, assign, createActor, setup } from 'xstate';
import { heapBytesPerActor } from '../../shared/peers/support.js';

// Bytes per idle xstate machine actor: `count` started actors of a one-state counter machine (context
// updated by `assign`), never sent an event.

const counterMachine = setup({
  types: { context: {} as { readonly count: number }, events: {} as { readonly type: 'increment' } },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  on: { increment: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
});

/** Heap bytes per idle xstate machine actor, measured over `count` actors (needs `--expose-gc`). */
export function bytesPerIdleActor(count: number): Promise<number> {
  return heapBytesPerActor(
    count,
    (): Actor<typeof counterMachine> => createActor(counterMachine).start(),
    (actors) => {
      for (const actor of actors) actor.stop();
    },
  );
}
