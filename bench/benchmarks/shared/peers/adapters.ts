import type { Benchmark, Observations } from '../../../infra/harness.js';
import { crashLoopObservations } from '../../fault-recovery/crash-loop.js';
import type { CrashLoopParams } from '../../fault-recovery/params.js';
import type { MemoryParams } from '../../memory/params.js';
import { timerDelays } from '../../timers/delays.js';
import type { TimerParams } from '../../timers/params.js';
import { type PeerName, peerMemory, peerTimers } from './index.js';
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

/** The shortest delay of a peer's Timers point, in milliseconds (10 s). */
export const PEER_MIN_DELAY_MS = 10_000;

/**
 * Heap bytes per pending delayed message of a peer as a Timers point: each iteration schedules
 * `timers` delayed messages to one idle actor of the peer (delays: the benchmark's sequence shifted to
 * {@link PEER_MIN_DELAY_MS}–`maxDelayMs` ms in whole seconds, so that none fires), measures the heap and cancels them again; the
 * `bytesPerPendingTimer` observation is the result. Peers' schedule + cancel speed is not measured.
 */
export class PeerTimers implements Benchmark<TimerParams> {
  readonly #peer: PeerName;
  #delays: Int32Array = new Int32Array(0);
  #observations: Observations = {};

  constructor(peer: PeerName) {
    this.#peer = peer;
  }

  setup({ timers, maxDelayMs }: TimerParams): void {
    if (peerTimers[this.#peer] === undefined) throw new Error(`${this.#peer} has no delayed messages`);
    // From 10 s up: xstate's 100,000 sends alone take about 1 s here, so 1-s delays would fire during
    // the measurement. Whole seconds: about 1,000 distinct delays, as the 1–1000 ms of the kompact-ts
    // and set-timeout rows (Node keeps one timer list per distinct delay, shared by its timers).
    const minSeconds = PEER_MIN_DELAY_MS / 1000;
    const maxSeconds = Math.floor(maxDelayMs / 1000);
    if (maxSeconds <= minSeconds) {
      throw new RangeError(`Peer timers need \`maxDelayMs\` above ${PEER_MIN_DELAY_MS}, got ${maxDelayMs}`);
    }
    this.#delays = timerDelays(timers, maxSeconds - minSeconds + 1).map((s) => (minSeconds - 1 + s) * 1000);
  }

  prepareIteration(): void {}

  async runIteration(): Promise<void> {
    const bytes = await peerTimers[this.#peer]!(this.#delays);
    this.#observations = { bytesPerPendingTimer: bytes };
  }

  cleanupIteration(): void {}

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
