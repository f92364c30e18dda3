import type { Benchmark, Observations } from '../../../infra/harness.js';
import type { CrashLoopBenchmark } from '../../shared/peers/support.js';
import { crashLoopObservations } from '../crash-loop.js';
import type { CrashLoopParams } from '../params.js';

// The adapter from a peer's crash loop to a B6b point: it reports the observations the kompact-ts
// point reports.

/**
 * A peer's B6 crash loop as a B6b point: the same iterations, and after each one the observations of
 * the kompact-ts crash loop (`latencyP50Us`, `latencyP99Us`, ...) from the peer's `latenciesUs`.
 */
export class PeerCrashLoop implements Benchmark<CrashLoopParams> {
  readonly #inner: CrashLoopBenchmark;
  #observations: Observations = {};

  constructor(inner: CrashLoopBenchmark) {
    this.#inner = inner;
  }

  setup(params: CrashLoopParams): void | Promise<void> {
    return this.#inner.setup(params);
  }

  prepareIteration(): void | Promise<void> {
    return this.#inner.prepareIteration();
  }

  runIteration(): Promise<void> {
    return this.#inner.runIteration();
  }

  async cleanupIteration(isLastIteration: boolean, timeMs: number): Promise<void> {
    // The peer's cleanup checks the run (every fault recovered, state kept) and publishes its latencies.
    await this.#inner.cleanupIteration(isLastIteration, timeMs);
    this.#observations = crashLoopObservations(this.#inner.latenciesUs);
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void | Promise<void> {
    return this.#inner.teardown();
  }
}
