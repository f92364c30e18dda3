import { spawn, start, stop } from 'nact';
import { heapBytesPerActor } from '../../shared/peers/support.js';

// Bytes per idle nact actor: `count` stateful actors (the shape of B1's pinger) spawned under one
// system, never sent a message. Names are explicit: nact's random anonymous names collide among
// 100,000 siblings.

const count = (state: number, _msg: unknown): number => state + 1;

/** Heap bytes per idle nact actor, measured over `count` actors (needs `--expose-gc`). */
export async function bytesPerIdleActor(actors: number): Promise<number> {
  const system = start();
  try {
    return await heapBytesPerActor(
      actors,
      (index) => spawn(system, count, `idle-${index}`, { initialState: 0 }),
      (refs) => {
        for (const ref of refs) stop(ref);
      },
    );
  } finally {
    stop(system);
  }
}
