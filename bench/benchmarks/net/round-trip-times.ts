import type { Observations } from '../../infra/harness.js';
import { percentile } from '../../infra/stats.js';

// What B5's implementations share: the re-warm before each timed iteration and the percentiles of
// B5a's round-trip times.

/**
 * Round trips (per pair) of the untimed run each B5 iteration starts with, after the harness's full
 * collection: that collection finds no per-message object alive (the iteration is over), so V8 drops
 * the hidden classes of those objects and deoptimises the code built on them (`--trace-deopt-verbose`:
 * "weak objects"); without a re-warm the next iteration's first ~3,000 round trips run on code being
 * re-optimised (p50 RTT 33 → 24 → 20 µs over the first 3,000 here). Every implementation gets it.
 */
const REWARM_ROUND_TRIPS = 4_000;

/** How many untimed round trips re-warm an iteration of `count` round trips (per pair). */
export function rewarmCount(count: number): number {
  return Math.min(count, REWARM_ROUND_TRIPS);
}

/**
 * The percentiles B5a reports of one iteration's round-trip times (`rttP50Us`, `rttP99Us`), the same
 * for kompact-ts and the raw `node:net` baselines.
 */
export function rttObservations(rttsUs: Float64Array): Observations {
  return { rttP50Us: percentile(rttsUs, 0.5), rttP99Us: percentile(rttsUs, 0.99) };
}
