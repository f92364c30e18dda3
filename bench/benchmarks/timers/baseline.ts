import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { CountdownLatch } from '../../infra/latch.js';
import { sleep, timerDelays, timersLeft } from './delays.js';
import type { TimerParams } from './params.js';

// The timer benchmark on raw host timers: `setTimeout` for every timer, `clearTimeout` for every second
// one, the same delays and the same counting as the kompact-ts suite.

/** Once-timers with raw `setTimeout` / `clearTimeout`. */
export class SetTimeoutTimers implements Benchmark<TimerParams> {
  #delays: Int32Array = new Int32Array(0);
  #handles: (NodeJS.Timeout | undefined)[] = [];
  #expected = 0;
  #fired = 0;
  #latch: CountdownLatch | undefined;
  #observations: Observations = {};
  readonly #onTimer = (): void => {
    if (++this.#fired === this.#expected) this.#latch!.countDown();
  };

  setup(params: TimerParams): void {
    this.#delays = timerDelays(params.timers, params.maxDelayMs);
    this.#handles = new Array<NodeJS.Timeout | undefined>(params.timers).fill(undefined);
    this.#expected = timersLeft(params.timers);
  }

  prepareIteration(): void {
    this.#latch = new CountdownLatch(1);
    this.#fired = 0;
  }

  runIteration(): Promise<void> {
    const latch = this.#latch!;
    const delays = this.#delays;
    const handles = this.#handles;
    const count = delays.length;
    const onTimer = this.#onTimer;
    const started = performance.now();
    for (let i = 0; i < count; i++) handles[i] = setTimeout(onTimer, delays[i]!);
    const scheduled = performance.now();
    for (let i = 1; i < count; i += 2) clearTimeout(handles[i]);
    const scheduleCancelMs = performance.now() - started;
    handles.fill(undefined);
    this.#observations = { scheduleCancelMs, scheduleMs: scheduled - started };
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    await sleep(20);
    if (this.#fired !== this.#expected) {
      throw new Error(`${this.#fired} timers fired, expected ${this.#expected}`);
    }
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  probe(): Observations {
    const delays = this.#delays;
    const handles = this.#handles;
    const count = delays.length;
    const noop = (): void => {};
    const before = settledMemoryUsed();
    for (let i = 0; i < count; i++) handles[i] = setTimeout(noop, delays[i]!);
    const pending = settledMemoryUsed();
    for (let i = 0; i < count; i++) clearTimeout(handles[i]);
    handles.fill(undefined);
    return { bytesPerPendingTimer: (pending - before) / count };
  }

  teardown(): void {}
}
