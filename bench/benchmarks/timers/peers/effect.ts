import { Effect, Fiber, Queue } from 'effect';
import { heapBytesPerActorBatch } from '../../shared/peers/support.js';

// Bytes per pending delayed message on effect: the actor is an unbounded `Queue` and a fiber looping on
// `Queue.take` (the shape of the B1/B2 actors); a delayed message is a fiber forked with
// `Effect.runFork` that runs `Queue.offer(inbox, tick)` under `Effect.delay(ms)` (the fiber sleeps on
// the default clock, one host timer each). The fibers are the handles, kept in an array allocated
// before the measurement; `Fiber.interruptAll` cancels them.

type Tick = { readonly kind: 'tick' };

const TICK: Tick = Object.freeze({ kind: 'tick' });

/**
 * Heap bytes per pending delayed offer to an effect actor's queue, over one delayed message per entry
 * of `delays` (milliseconds) to one idle actor (needs `--expose-gc`).
 */
export async function bytesPerPendingTimer(delays: Int32Array): Promise<number> {
  const count = delays.length;
  const inbox = Effect.runSync(Queue.unbounded<Tick>());
  let ticks = 0;
  const actor = Effect.runFork(
    Queue.take(inbox).pipe(
      Effect.map(() => ++ticks),
      Effect.forever,
    ),
  );
  const fibers = new Array<Fiber.Fiber<boolean>>(count);
  for (let i = 0; i < count; i++) fibers[i] = undefined as unknown as Fiber.Fiber<boolean>;
  try {
    return await heapBytesPerActorBatch(
      count,
      () => {
        for (let i = 0; i < count; i++) {
          fibers[i] = Effect.runFork(Queue.offer(inbox, TICK).pipe(Effect.delay(delays[i]!)));
        }
      },
      async () => {
        if (ticks !== 0) throw new Error(`effect: ${ticks} delayed messages arrived during the measurement`);
        await Effect.runPromise(Fiber.interruptAll(fibers));
        fibers.fill(undefined as unknown as Fiber.Fiber<boolean>);
      },
    );
  } finally {
    await Effect.runPromise(Fiber.interrupt(actor));
  }
}
