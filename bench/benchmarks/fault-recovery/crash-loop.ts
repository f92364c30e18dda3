import type { Observations } from '../../infra/harness.js';
import { CountdownLatch } from '../../infra/latch.js';
import { percentile } from '../../infra/stats.js';

// The B6 crash loop shared by kompact-ts and its plain-loop baseline: per fault, tell the component a
// message that makes it throw and, right behind it, the next message; the fault counts as recovered
// when the replacement handled that next message on the state it inherited.

/** The two messages of the crash loop: `crash` makes the handler throw, `next` must be handled after. */
export type CrashLoopMsg = { readonly kind: 'crash' } | { readonly kind: 'next' };

/** The crashing message; shared and frozen, like the static messages of B1. */
export const CRASH: CrashLoopMsg = Object.freeze({ kind: 'crash' });
/** The message the replacement must handle. */
export const NEXT: CrashLoopMsg = Object.freeze({ kind: 'next' });

/** What every crash-loop handler throws on {@link CRASH}: a real `Error`, stack trace included. */
export class InjectedCrash extends Error {
  constructor() {
    super('injected crash (B6 crash loop)');
    this.name = 'InjectedCrash';
  }
}

/** Options of a {@link CrashLoopDriver}. */
export interface CrashLoopOptions {
  /** Keep one latency per fault (`latenciesUs`); off for the long heap run. */
  readonly recordLatencies: boolean;
  /** Called (between two faults) once `checkpoint` faults were recovered. */
  readonly checkpoint?: { readonly after: number; readonly run: () => void };
  /**
   * End the run early, after the checkpoint, once it has taken this many milliseconds (a long run on
   * a slow runtime must not hold the whole benchmark run hostage); `recovered` then tells how far it got.
   */
  readonly budgetMs?: number;
}

/**
 * Drives one crash-loop iteration: per fault it sends {@link CRASH} then {@link NEXT} and waits until
 * the component reports, through {@link CrashLoopDriver.handled}, that it handled `next`.
 *
 * @remarks The clock starts right before the crashing message is sent; the next fault is sent from a
 * microtask after the report, never from inside the component's own handler, so that the component's
 * turn is over when its next crash arrives (and the microtask is part of no latency).
 */
export class CrashLoopDriver {
  /** Latency of each fault in microseconds: tell of `crash` → replacement handled `next`. */
  readonly latenciesUs: Float64Array;
  readonly #faults: number;
  #send: (msg: CrashLoopMsg) => void = () => {
    throw new Error('CrashLoopDriver used before bind');
  };
  readonly #options: CrashLoopOptions;
  readonly #latch = new CountdownLatch(1);
  readonly #fire = (): void => {
    this.#startedAt = performance.now();
    this.#send(CRASH);
    this.#send(NEXT);
  };
  #startedAt = 0;
  #runStartedAt = 0;
  #done = 0;
  #lastCount = 0;

  constructor(faults: number, options: CrashLoopOptions) {
    this.#faults = faults;
    this.#options = options;
    this.latenciesUs = new Float64Array(options.recordLatencies ? faults : 0);
  }

  /** Sets how messages reach the component (its reference is made after the driver). */
  bind(send: (msg: CrashLoopMsg) => void): void {
    this.#send = send;
  }

  /** How many faults were recovered so far. */
  get recovered(): number {
    return this.#done;
  }

  /** Sends the first fault; resolves when the replacement handled the last `next`. */
  run(): Promise<void> {
    this.#runStartedAt = performance.now();
    queueMicrotask(this.#fire);
    return this.#latch.promise;
  }

  /** Called by the component's handler of `next` with the count of `next`s its line has handled. */
  handled(count: number): void {
    const now = performance.now();
    const done = this.#done;
    if (done >= this.#faults) throw new Error(`Crash loop got a \`next\` past ${this.#faults} faults`);
    if (this.#options.recordLatencies) this.latenciesUs[done] = (now - this.#startedAt) * 1000;
    this.#done = done + 1;
    this.#lastCount = count;
    const { checkpoint, budgetMs } = this.#options;
    if (this.#done === checkpoint?.after) checkpoint.run();
    const isOverBudget =
      budgetMs !== undefined && this.#done >= (checkpoint?.after ?? 0) && now - this.#runStartedAt > budgetMs;
    if (this.#done < this.#faults && !isOverBudget) queueMicrotask(this.#fire);
    else this.#latch.countDown();
  }

  /**
   * Throws unless every fault sent was followed by a `next` handled on the state carried over, and
   * all `faults` were sent (unless the run had a budget).
   */
  verify(): void {
    const isShort = this.#done !== this.#faults && this.#options.budgetMs === undefined;
    if (isShort || this.#lastCount !== this.#done) {
      throw new Error(
        `Crash loop recovered ${this.#done} of ${this.#faults} faults; the last state counted ${this.#lastCount} (state lost in a restart?)`,
      );
    }
  }
}

/**
 * What a B6b point reports per iteration from its latencies (microseconds, in fault order): p50, p99
 * and max, and the p50 of the first and of the last 1,000 faults. Shared by kompact-ts, its baseline
 * and the peers, so every row has the same observations.
 */
export function crashLoopObservations(latenciesUs: Float64Array): Observations {
  const count = latenciesUs.length;
  return {
    latencyP50Us: percentile(latenciesUs, 0.5),
    latencyP99Us: percentile(latenciesUs, 0.99),
    latencyMaxUs: percentile(latenciesUs, 1),
    firstThousandP50Us: percentile(latenciesUs.subarray(0, Math.min(1000, count)), 0.5),
    lastThousandP50Us: percentile(latenciesUs.subarray(Math.max(0, count - 1000)), 0.5),
  };
}
