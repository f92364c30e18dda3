import type { Runnable, TurnObserver } from '../runtime/scheduler.js';

/**
 * Counts handler calls per runnable (component core or supervisor) from the scheduler's turns, while an
 * inspector is attached. The runtime gives each component no field for it: the counts live here, in a
 * `WeakMap`, which an ended component leaves with its core.
 *
 * A map update per turn would cost about as much as a ping-pong hop itself, so two runnables are counted
 * in fields first (the two most recently seen ones, which in a busy pair or a hot component are every
 * turn) and go to the map only when a third one turns up, or when a sample reads the counts.
 */
export class TurnCounter implements TurnObserver {
  readonly #counts = new WeakMap<Runnable, number>();
  #first: Runnable | undefined;
  #firstCalls = 0;
  #second: Runnable | undefined;
  #secondCalls = 0;
  /** Handler calls stored in the map so far. */
  #stored = 0;

  /** Handler calls of every turn since the counter was attached (kept out of `turn`: one add less per turn). */
  get total(): number {
    return this.#stored + this.#firstCalls + this.#secondCalls;
  }

  turn(runnable: Runnable, calls: number): void {
    if (runnable === this.#first) this.#firstCalls += calls;
    else if (runnable === this.#second) this.#secondCalls += calls;
    else this.#miss(runnable, calls);
  }

  /** Handler calls `runnable` made since the counter was attached. */
  countOf(runnable: Runnable): number {
    this.#flush();
    return this.#counts.get(runnable) ?? 0;
  }

  #miss(runnable: Runnable, calls: number): void {
    this.#store(this.#second, this.#secondCalls);
    this.#second = this.#first;
    this.#secondCalls = this.#firstCalls;
    this.#first = runnable;
    this.#firstCalls = calls;
  }

  #flush(): void {
    this.#store(this.#first, this.#firstCalls);
    this.#store(this.#second, this.#secondCalls);
    this.#first = undefined;
    this.#second = undefined;
    this.#firstCalls = 0;
    this.#secondCalls = 0;
  }

  #store(runnable: Runnable | undefined, calls: number): void {
    if (runnable === undefined || calls === 0) return;
    this.#stored += calls;
    this.#counts.set(runnable, (this.#counts.get(runnable) ?? 0) + calls);
  }
}
