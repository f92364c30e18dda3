import type { Actor, ActorRef } from 'comedy';
import { startComedy } from '../../shared/peers/comedy-system.js';
import { heapBytesPerActorBatch } from '../../shared/peers/support.js';

// Bytes per idle comedy actor: `count` in-memory actors (plain-object definitions with one handler, as
// in comedy's quick start), never sent a message after they were made. They form a two-level tree, about
// √count group actors under the root each creating its share of children: comedy removes a destroyed
// child from its parent's list with a linear scan, so destroying 100,000 children of one parent takes
// minutes (about 10 s for 20,000 here), while creating them is linear. The group actors are idle actors
// too and are part of `count`.

function counterDefinition() {
  let count = 0;
  return {
    increment(): number {
      return ++count;
    },
  };
}

function groupDefinition() {
  let self: Actor | undefined;
  return {
    initialize(selfActor: Actor): void {
      self = selfActor;
    },
    async spawn(children: number): Promise<void> {
      for (let i = 0; i < children; i++) await self!.createChild(counterDefinition());
    },
  };
}

/** Heap bytes per idle in-memory comedy actor, measured over `count` actors (needs `--expose-gc`). */
export async function bytesPerIdleActor(count: number): Promise<number> {
  const { system, root } = await startComedy();
  const groups = Math.max(1, Math.ceil(Math.sqrt(count)));
  const children = count - groups;
  try {
    return await heapBytesPerActorBatch(
      count,
      async (): Promise<ActorRef[]> => {
        const made: ActorRef[] = [];
        for (let g = 0; g < groups; g++) {
          const group = await root.createChild(groupDefinition());
          made.push(group);
          const share = Math.floor(children / groups) + (g < children % groups ? 1 : 0);
          await group.sendAndReceive('spawn', share);
        }
        return made;
      },
      async (made) => {
        await Promise.all(made.map((group) => group.destroy()));
      },
    );
  } finally {
    await system.destroy();
  }
}
