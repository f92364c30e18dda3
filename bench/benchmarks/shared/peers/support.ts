import type { Benchmark } from '../../../infra/harness.js';
import { CountdownLatch } from '../../../infra/latch.js';
import type { CrashLoopParams } from '../../fault-recovery/params.js';

// What the peer implementations share: the B6 crash-loop driver and its latency record, and the
// heap measurement behind `bytesPerIdleActor`. Nothing here is peer-specific.

/** The two messages of the B6 crash loop: `crash` makes the handler throw, `next` must be handled after. */
export type CrashLoopMsg = { readonly type: 'crash' } | { readonly type: 'next' };

/** The crashing message; shared and frozen, like the static messages of B1. */
export const CRASH: CrashLoopMsg = Object.freeze({ type: 'crash' });
/** The message the restarted actor must handle. */
export const NEXT: CrashLoopMsg = Object.freeze({ type: 'next' });

/** The error every crash-loop handler throws on {@link CRASH}. */
export class InjectedCrash extends Error {
  constructor() {
    super('injected crash (B6 crash loop)');
    this.name = 'InjectedCrash';
  }
}

/** The state every crash-loop actor keeps: how many `next` messages it has handled over all restarts. */
export type CrashLoopState = { readonly handled: number };

/**
 * The crash-loop actor's behaviour, one function for every peer: throws on `crash`, counts `next`.
 *
 * @remarks A restart that lost the state would make the final count 1 instead of `faults`; the
 * driver checks it.
 */
export function crashLoopStep(state: CrashLoopState, msg: CrashLoopMsg): CrashLoopState {
  if (msg.type === 'crash') throw new InjectedCrash();
  return { handled: state.handled + 1 };
}

/** A B6 crash-loop benchmark: besides the iteration time it keeps one restart latency per fault. */
export interface CrashLoopBenchmark extends Benchmark<CrashLoopParams> {
  /**
   * Restart latency of each fault of the last finished iteration, in microseconds: from sending the
   * crashing message to the restarted actor handling the next one. Empty before the first iteration.
   */
  readonly latenciesUs: Float64Array;
}

/**
 * Drives one crash-loop iteration: per fault it sends {@link CRASH} then {@link NEXT} to the actor and
 * waits until the actor reports (through {@link CrashLoopDriver.handled}) that it handled `next`.
 *
 * @remarks The next fault is sent from a microtask after the report, never from inside the peer's
 * handler, so no peer sees a message arrive in the middle of its own turn (xstate, for one, would
 * deliver it to the mailbox of the actor that is about to crash and be replaced). The clock starts
 * right before the crashing message is sent, so that microtask is not part of any latency.
 */
export class CrashLoopDriver {
  readonly latenciesUs: Float64Array;
  readonly #faults: number;
  readonly #send: (msg: CrashLoopMsg) => void;
  readonly #latch = new CountdownLatch(1);
  readonly #fire = (): void => {
    this.#startedAt = performance.now();
    this.#send(CRASH);
    this.#send(NEXT);
  };
  #startedAt = 0;
  #done = 0;
  #lastHandled = 0;

  constructor(faults: number, send: (msg: CrashLoopMsg) => void) {
    this.#faults = faults;
    this.#send = send;
    this.latenciesUs = new Float64Array(faults);
  }

  /** Sends the first fault; resolves when the restarted actor handled the last `next`. */
  run(): Promise<void> {
    queueMicrotask(this.#fire);
    return this.#latch.promise;
  }

  /** Called by the actor's handler of `next` with its state's count after handling it. */
  handled(count: number): void {
    const now = performance.now();
    if (this.#done >= this.#faults) throw new Error(`Crash loop got a \`next\` past ${this.#faults} faults`);
    this.latenciesUs[this.#done++] = (now - this.#startedAt) * 1000;
    this.#lastHandled = count;
    if (this.#done < this.#faults) queueMicrotask(this.#fire);
    else this.#latch.countDown();
  }

  /**
   * Throws unless every fault was followed by a handled `next` on restored state and the peer's
   * supervision restarted the actor `restarts` times.
   */
  verify(restarts: number): void {
    const faults = this.#faults;
    if (this.#done !== faults) throw new Error(`Crash loop handled ${this.#done} of ${faults} faults`);
    if (this.#lastHandled !== faults) {
      throw new Error(
        `Crash loop actor counted ${this.#lastHandled} \`next\` messages after ${faults} restarts: the restart did not keep the last state`,
      );
    }
    if (restarts !== faults) throw new Error(`Crash loop saw ${restarts} restarts for ${faults} faults`);
  }
}

/** The `p`-quantile (0 ≤ p ≤ 1) of `values` by the nearest-rank method; `NaN` when empty. */
export function percentile(values: Float64Array, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

function collectGarbage(): void {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('bytesPerIdleActor needs `node --expose-gc`');
  // Twice: the first pass may only schedule finalisation of weakly held objects.
  gc();
  gc();
}

/** Lets the peers finish starting what they scheduled (promise chains, `setImmediate` turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * How long the `createAll` of the last {@link heapBytesPerActorBatch} took, in milliseconds (`NaN`
 * before the first): the suite's "created/s" for the peers, without the collections around it.
 */
export let lastCreationMs = Number.NaN;

/**
 * Heap bytes per idle actor: after a collection, `createAll` makes `count` actors; once they settled
 * and after another collection, the growth of `heapUsed` divided by `count` is the result. `release`
 * then gets what `createAll` returned, to stop the actors.
 *
 * @remarks Whatever `createAll` keeps to reach the actors is counted with them, so it should hold them
 * in as little as a preallocated array (see {@link heapBytesPerActor}). Run with `--expose-gc`.
 */
export async function heapBytesPerActorBatch<R>(
  count: number,
  createAll: () => R | Promise<R>,
  release: (created: R) => void | Promise<void>,
): Promise<number> {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Expected \`count\` to be an integer from 1 and up, got \`${count}\``);
  }
  await settle();
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const createStarted = performance.now();
  const created = await createAll();
  lastCreationMs = performance.now() - createStarted;
  await settle();
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  await release(created);
  return (after - before) / count;
}

/**
 * {@link heapBytesPerActorBatch} with one `spawn(index)` call per actor, the actors held in an array
 * allocated before the first measurement (so only the actors and what the peer keeps per actor count).
 */
export async function heapBytesPerActor<A>(
  count: number,
  spawn: (index: number) => A | Promise<A>,
  release: (actors: A[]) => void | Promise<void>,
): Promise<number> {
  const actors = new Array<A>(Math.max(0, count));
  for (let i = 0; i < count; i++) actors[i] = undefined as A;
  return heapBytesPerActorBatch(
    count,
    async () => {
      for (let i = 0; i < count; i++) actors[i] = await spawn(i);
      return actors;
    },
    release,
  );
}
