// Soak size of the kill -9 probe: many peers killed mid-stream, each run accounted for.
// Run with `npm run soak`; not part of `npm test`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killPeerMidStream } from '../support/killed-peer.js';

const RUNS = 20;
const stream = { acksBeforeKill: 2_000, perTurn: 100, turnsAfterKill: 100, accountDeadlineMs: 30_000 };

describe('kill -9 of a peer mid-stream (soak)', () => {
  it(`accounts for every message in ${RUNS} runs where the peer dies caught up`, async () => {
    const totals = { sent: 0, acknowledged: 0, lost: 0 };
    for (let run = 0; run < RUNS; run++) {
      const report = await killPeerMidStream({ ...stream, killWhenCaughtUp: true });
      const lost = Object.values(report.lost).reduce((sum, n) => sum + n, 0);
      assert.deepEqual(
        report.unaccounted,
        [],
        `run ${run}: ${JSON.stringify({ ...report, unaccounted: report.unaccounted.length })}`,
      );
      totals.sent += report.sent;
      totals.acknowledged += report.acknowledged;
      totals.lost += lost;
    }
    console.log(`kill -9, caught up: ${RUNS} runs, ${JSON.stringify(totals)}, unaccounted 0`);
  });

  it(`reports everything after the peer's backlog as lost in ${RUNS} runs where it dies with one`, async () => {
    const totals = { sent: 0, acknowledged: 0, lost: 0, unaccounted: 0, largestGap: 0 };
    for (let run = 0; run < RUNS; run++) {
      const report = await killPeerMidStream({ ...stream, killWhenCaughtUp: false });
      const lost = Object.values(report.lost).reduce((sum, n) => sum + n, 0);
      const summary = `run ${run}: ${JSON.stringify({ ...report, unaccounted: report.unaccounted.length })}`;
      assert.ok(report.firstLost > report.lastAcknowledged && report.firstLost < report.sent, summary);
      assert.deepEqual(report.holes, [], summary);
      totals.sent += report.sent;
      totals.acknowledged += report.acknowledged;
      totals.lost += lost;
      totals.unaccounted += report.unaccounted.length;
      totals.largestGap = Math.max(totals.largestGap, report.unaccounted.length);
    }
    console.log(`kill -9, with a backlog: ${RUNS} runs, ${JSON.stringify(totals)}`);
  });
});
