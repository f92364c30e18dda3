import {
  type Component,
  ComponentDefinition,
  type KompactSystem,
  type ScheduledTimer,
} from '../../../src/index.js';
import type { Benchmark, Observations } from '../../infra/harness.js';
import { settledMemoryUsed } from '../../infra/heap.js';
import { CountdownLatch } from '../../infra/latch.js';
import { buildBenchSystem } from '../shared/kompact-system.js';
import { sleep, timerDelays, timersLeft } from './delays.js';
import type { TimerParams } from './params.js';

// Timers on kompact-ts: one component schedules `timers` once-timers (delays spread over
// 1–maxDelayMs ms) from a handler, cancels every second one, and counts the others as their handlers
// run on it; the iteration ends when the last one fired. The handler times the schedule + cancel phase.

type TimerMsg =
  | { readonly kind: 'run'; readonly latch: CountdownLatch }
  | { readonly kind: 'schedule-all'; readonly done: () => void }
  | { readonly kind: 'cancel-all'; readonly done: () => void };

class TimerOwner extends ComponentDefinition<TimerMsg> {
  readonly #delays: Int32Array;
  readonly #handles: (ScheduledTimer | undefined)[];
  #expected = 0;
  #fired = 0;
  #latch: CountdownLatch | undefined;
  /** Milliseconds the last run took to schedule every timer and cancel half of them. */
  scheduleCancelMs = 0;
  /** Milliseconds of the scheduling part alone. */
  scheduleMs = 0;

  constructor(delays: Int32Array) {
    super();
    this.#delays = delays;
    this.#handles = new Array<ScheduledTimer | undefined>(delays.length).fill(undefined);
  }

  get fired(): number {
    return this.#fired;
  }

  readonly #onTimer = (): void => {
    if (++this.#fired === this.#expected) this.#latch!.countDown();
  };

  override receiveLocal(msg: TimerMsg): void {
    const delays = this.#delays;
    const handles = this.#handles;
    const count = delays.length;
    switch (msg.kind) {
      case 'run': {
        this.#latch = msg.latch;
        this.#fired = 0;
        this.#expected = timersLeft(count);
        const onTimer = this.#onTimer;
        const started = performance.now();
        for (let i = 0; i < count; i++) handles[i] = this.scheduleOnce(delays[i]!, onTimer);
        const scheduled = performance.now();
        for (let i = 1; i < count; i += 2) this.cancelTimer(handles[i]!);
        this.scheduleCancelMs = performance.now() - started;
        this.scheduleMs = scheduled - started;
        handles.fill(undefined);
        break;
      }
      case 'schedule-all': {
        const noop = (): void => {};
        for (let i = 0; i < count; i++) handles[i] = this.scheduleOnce(delays[i]!, noop);
        msg.done();
        break;
      }
      case 'cancel-all':
        for (let i = 0; i < count; i++) this.cancelTimer(handles[i]!);
        handles.fill(undefined);
        msg.done();
        break;
    }
  }
}

/** Once-timers on kompact-ts: schedule, cancel half, fire the rest. */
export class KompactTimers implements Benchmark<TimerParams> {
  #system: KompactSystem | undefined;
  #owner: Component<TimerOwner> | undefined;
  #count = 0;
  #delays: Int32Array = new Int32Array(0);
  #latch: CountdownLatch | undefined;
  #observations: Observations = {};

  async setup(params: TimerParams): Promise<void> {
    this.#count = params.timers;
    this.#system = await buildBenchSystem();
    const delays = timerDelays(params.timers, params.maxDelayMs);
    this.#delays = delays;
    this.#owner = this.#system.create(() => new TimerOwner(delays));
    await this.#system.startNotify(this.#owner);
  }

  prepareIteration(): void {
    this.#latch = new CountdownLatch(1);
  }

  runIteration(): Promise<void> {
    const latch = this.#latch!;
    this.#owner!.actorRef().tell({ kind: 'run', latch });
    return latch.promise;
  }

  async cleanupIteration(): Promise<void> {
    // A cancelled timer that fired anyway would push the count past the expected one.
    await sleep(20);
    const owner = this.#owner!;
    const { fired, scheduleCancelMs, scheduleMs } = owner.onDefinition((definition) => ({
      fired: definition.fired,
      scheduleCancelMs: definition.scheduleCancelMs,
      scheduleMs: definition.scheduleMs,
    }));
    const expected = timersLeft(this.#count);
    if (fired !== expected) throw new Error(`${fired} timers fired, expected ${expected}`);
    this.#observations = { scheduleCancelMs, scheduleMs };
  }

  iterationObservations(): Observations {
    return this.#observations;
  }

  /**
   * Memory per pending timer on a system that has never had a timer, so the growth of the timer
   * facility's table (typed arrays outside the heap) counts along with the handles.
   */
  async probe(): Promise<Observations> {
    const system = await buildBenchSystem();
    try {
      const owner = system.create(() => new TimerOwner(this.#delays));
      await system.startNotify(owner);
      const ref = owner.actorRef();
      const before = settledMemoryUsed();
      await new Promise<void>((done) => ref.tell({ kind: 'schedule-all', done }));
      const pending = settledMemoryUsed();
      await new Promise<void>((done) => ref.tell({ kind: 'cancel-all', done }));
      return { bytesPerPendingTimer: (pending - before) / this.#count };
    } finally {
      await system.shutdown();
    }
  }

  async teardown(): Promise<void> {
    await this.#system?.shutdown();
  }
}
