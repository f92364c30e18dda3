// Soak size of the fault storm: 1,000,000 faults over 10,000 components, and the heap before and after.
// Run with `npm run soak` (node --expose-gc); not part of `npm test`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withClock } from '../support/clock.js';
import { faultStorm } from '../support/fault-storm.js';
import { heapAfterGc, mib } from '../support/heap.js';

describe('fault storm (soak)', () => {
  it('loses, duplicates and reorders no message of 10,000 components that fault 1,000,000 times, and leaves the heap flat', async () => {
    const components = 10_000;
    const faultsPerComponent = 100;
    // A small storm first, so the heap baseline includes the code and caches any storm warms up.
    await withClock((system) =>
      faultStorm(system, {
        components: 100,
        faultsPerComponent: 5,
        every: 5,
        messagesPerWave: 25,
        waveDeadlineMs: 60_000,
      }),
    );
    const before = await heapAfterGc();
    const report = await withClock((system) =>
      faultStorm(system, {
        components,
        faultsPerComponent,
        every: 5,
        messagesPerWave: 50,
        waveDeadlineMs: 600_000,
      }),
    );
    const after = await heapAfterGc();
    console.log(
      `fault storm: ${components} components, ${report.faults} faults, ${report.messages} messages, ` +
        `${(report.elapsedMs / 1000).toFixed(1)} s; heap ${mib(before)} before, ${mib(after)} after`,
    );
    assert.deepEqual(report.wrong, []);
    assert.equal(report.faults, components * faultsPerComponent);
    assert.equal(report.recoveries, components * faultsPerComponent);
    assert.equal(report.deadLetters, 0);
    assert.ok(after - before < 8 * 1024 * 1024, `heap grew by ${mib(after - before)}`);
  });
});
