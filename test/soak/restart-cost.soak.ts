// Soak size of the restart-cost probe: one component that uses its actor path, replaced (replaceWith) on
// each of 50,000 faults. Each replacement used to carry its predecessors' ids, so every restart walked
// them all (5,000 faults took 368 ms at first and 8.9 s later). Run with `npm run soak`; not part of
// `npm test`, which checks the same with 200 restarts by counting paths, not by timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComponentDefinition, KompactConfig } from '../../src/index.js';
import { heapAfterGc, mib } from '../support/heap.js';
import { within } from '../support/promises.js';

const TOTAL_FAULTS = 50_000;
const WINDOW = 5_000;

describe('restart cost (soak)', () => {
  it('restarts a component with its own path 50,000 times at a steady cost per restart', async () => {
    const windowsMs: number[] = [];
    let faults = 0;
    let windowStart = performance.now();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    class Crasher extends ComponentDefinition<'crash'> {
      override onStart(): void {
        this.ctx.actorRef().tell('crash');
      }
      override receiveLocal(): void {
        // A component that sends to actor paths has a path of its own.
        this.ctx.actorPath();
        if (faults === TOTAL_FAULTS) {
          finish();
          return;
        }
        faults++;
        if (faults % WINDOW === 0) {
          const now = performance.now();
          windowsMs.push(now - windowStart);
          windowStart = now;
        }
        throw new Error('crash');
      }
    }
    const system = await KompactConfig.default().logLevel('silent').build();
    try {
      const before = await heapAfterGc();
      const crasher = system.create(() => new Crasher());
      crasher.setRecoveryFunction((fault) => fault.replaceWith(() => new Crasher()));
      system.start(crasher);
      await within(finished, 300_000, `${TOTAL_FAULTS} restarts`);
      const after = await heapAfterGc();
      console.log(
        `restart cost: ms per ${WINDOW} faults over ${TOTAL_FAULTS}: ${windowsMs.map((ms) => ms.toFixed(0)).join(', ')}; ` +
          `heap ${mib(before)} before, ${mib(after)} after`,
      );
      // Growth with the number of restarts shows as a last window many times the second (the first
      // includes warming up); a steady cost keeps them within noise of each other.
      const second = windowsMs[1] ?? 0;
      const last = windowsMs.at(-1) ?? 0;
      assert.ok(last < 5 * second + 50, `the last ${WINDOW} faults took ${last} ms, the second ${second} ms`);
    } finally {
      await system.shutdown();
    }
  });
});
