import type { BenchmarkSpec } from '../infra/spec.js';
import { chameneosSpec } from './chameneos/spec.js';
import { durableAckLatency, durableSaveRate } from './durable-snapshots/spec.js';
import { crashLoop, faultHeap, supervisionOverhead } from './fault-recovery/spec.js';
import { fibonacciSpec } from './fibonacci/spec.js';
import { memorySpec } from './memory/spec.js';
import { netPingPong, netThroughputPingPong } from './net/spec.js';
import { pingPong } from './pingpong/spec.js';
import { eventLoopLag, parallelScaling, threadPingPong, threadThroughput } from './threads/spec.js';
import { throughputPingPong } from './throughput-pingpong/spec.js';
import { timersSpec } from './timers/spec.js';

/** Every benchmark of the suite, in run order. */
export const CATALOGUE: readonly BenchmarkSpec[] = [
  pingPong,
  throughputPingPong,
  fibonacciSpec,
  chameneosSpec,
  netPingPong,
  netThroughputPingPong,
  threadPingPong,
  threadThroughput,
  parallelScaling,
  eventLoopLag,
  supervisionOverhead,
  crashLoop,
  faultHeap,
  timersSpec,
  memorySpec,
  durableSaveRate,
  durableAckLatency,
];

/**
 * The benchmarks `id` selects, case-insensitively: the one with that id, or, for an id like `B6`, every
 * part of it (`B6a`, `B6b`, `B6c`).
 */
export function selectSpecs(id: string): BenchmarkSpec[] {
  const wanted = id.toLowerCase();
  return CATALOGUE.filter((spec) => {
    const own = spec.id.toLowerCase();
    return own === wanted || (own.startsWith(wanted) && /^[a-z]$/.test(own.slice(wanted.length)));
  });
}
