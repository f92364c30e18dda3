import { Effect, Fiber, Queue } from 'effect';
import { heapBytesPerActor } from '../../shared/peers/support.js';

// Bytes per idle effect actor: `count` actors, each an unbounded `Queue` and a forked fiber suspended
// in `Queue.take` on it (the actor shape of the B1/B2 implementations), never offered a message.

type Increment = { readonly kind: 'increment' };

function counter(inbox: Queue.Dequeue<Increment>): Effect.Effect<never> {
  let count = 0;
  return Queue.take(inbox).pipe(
    Effect.map(() => ++count),
    Effect.forever,
  );
}

type IdleActor = { readonly inbox: Queue.Queue<Increment>; readonly fiber: Fiber.Fiber<never> };

/** Heap bytes per idle effect actor (queue + fiber), measured over `count` actors (needs `--expose-gc`). */
export function bytesPerIdleActor(count: number): Promise<number> {
  return heapBytesPerActor(
    count,
    (): IdleActor => {
      const inbox = Effect.runSync(Queue.unbounded<Increment>());
      return { inbox, fiber: Effect.runFork(counter(inbox)) };
    },
    (actors) => Effect.runPromise(Fiber.interruptAll(actors.map((actor) => actor.fiber))),
  );
}
