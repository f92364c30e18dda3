// Soak size of shutdown under load: many rounds of a bigger load, each shut down within its grace period.
// Run with `npm run soak`; not part of `npm test`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapAfterGc, mib } from '../support/heap.js';
import { shutdownUnderLoad } from '../support/shutdown-load.js';

describe('shutdown under load (soak)', () => {
  it('completes within its grace period in every one of 50 rounds, settling every queued ask', async () => {
    const load = { spinners: 500, holders: 200, asksPerHolder: 20, blocked: 20, graceMs: 500 };
    const rounds = 50;
    const before = await heapAfterGc();
    let slowest = 0;
    let held = 0;
    for (let round = 0; round < rounds; round++) {
      const report = await shutdownUnderLoad(load);
      assert.equal(report.state, 'terminated', `round ${round}`);
      assert.equal(report.unsettledQueuedAsks, 0, `round ${round}: queued asks left pending`);
      slowest = Math.max(slowest, report.shutdownMs);
      held += report.unsettledHeldAsks;
    }
    const after = await heapAfterGc();
    console.log(
      `shutdown under load: ${rounds} rounds of ${load.spinners} spinners, ${load.holders} holders ` +
        `(${load.blocked} blocked), grace ${load.graceMs} ms: slowest shutdown ${slowest.toFixed(0)} ms; ` +
        `held asks still pending after shutdown ${held}; heap ${mib(before)} before, ${mib(after)} after`,
    );
    assert.ok(slowest < load.graceMs + 5_000, `slowest shutdown ${slowest} ms`);
  });
});
