import { crashLoopObservations } from '../crash-loop.js';
import type { Benchmark, Observations } from '../harness.js';
import type { CrashLoopParams, MemoryParams } from '../params.js';
import { type PeerName, peerMemory } from './index.js';
import { type CrashLoopBenchmark, lastCreationMs } from './support.js';

// Adapters from the peers' own shapes to the suite's: the B6b crash loop reports the observations the
// kompact-ts point reports, and the memory measurement becomes a `Benchmark<MemoryParams>`.

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

/**
 * Heap bytes per idle actor of a peer as a Memory point: each iteration makes `components` idle actors
 * of the peer (started, as a peer's actors are once spawned), measures the heap and stops them again.
 *
 * @remarks The iteration time includes the collections around the measurement; the creation time
 * alone is reported as the `creationMs` observation (the "created/s" column).
 */
export class PeerMemory implements Benchmark<MemoryParams> {
  readonly #peer: PeerName;
  #components = 0;
  #observations: Observations = {};

  constructor(peer: PeerName) {
    this.#peer = peer;
  }

  setup({ components, started }: MemoryParams): void {
    if (!started) throw new Error(`${this.#peer}: the peers' idle actors are always started`);
    this.#components = components;
  }

  prepareIteration(): void {}

  async runIteration(): Promise<void> {
    const bytes = await peerMemory[this.#peer](this.#components);
    this.#observations = { bytesPerComponent: bytes, creationMs: lastCreationMs };
  }

  cleanupIteration(): void {}

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
