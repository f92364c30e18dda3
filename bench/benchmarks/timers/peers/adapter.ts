import type { Benchmark, Observations } from '../../../infra/harness.js';
import type { PeerName } from '../../shared/peers/names.js';
import { timerDelays } from '../delays.js';
import type { TimerParams } from '../params.js';
import { bytesPerPendingTimer } from './index.js';

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
    if (bytesPerPendingTimer[this.#peer] === undefined)
      throw new Error(`${this.#peer} has no delayed messages`);
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
    const bytes = await bytesPerPendingTimer[this.#peer]!(this.#delays);
    this.#observations = { bytesPerPendingTimer: bytes };
  }

  cleanupIteration(): void {}

  iterationObservations(): Observations {
    return this.#observations;
  }

  teardown(): void {}
}
