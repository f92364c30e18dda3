import { type Benchmark, type IterationPolicy, type Observations, VARIANT_TIME_PREFIX } from './harness.js';

/** One side of an {@link Interleaved} benchmark: the label its table row gets, and the benchmark. */
export interface Side<P> {
  readonly label: string;
  readonly benchmark: Benchmark<P>;
}

/**
 * Runs two variants of one benchmark in each iteration, one after the other, alternating which goes
 * first, and reports each one's time (`time:<label>`) and the variant's overhead over the base in
 * percent (`overheadPercent`, from the two times of the same iteration). Machine noise, which on a
 * shared VM easily exceeds a 5 % difference between two processes, then hits both sides alike.
 *
 * @remarks Each side runs its whole sequence inside this benchmark's iteration: `prepareIteration`,
 * a full collection (with `--expose-gc`, when the policy's `collection` asks for one), the timed
 * `runIteration`, `cleanupIteration`. So both sides
 * see exactly the same sequence of events before their timed part; preparing both first and cleaning
 * both up afterwards made whichever ran first after the iteration boundary ~30 % slower or faster.
 * The harness's own iteration time (both sides plus their preparation) only drives its stopping rule.
 */
export class Interleaved<P> implements Benchmark<P> {
  readonly #base: Side<P>;
  readonly #variant: Side<P>;
  readonly #collection: IterationPolicy['collection'];
  #iteration = 0;
  #baseMs = 0;
  #variantMs = 0;

  constructor(base: Side<P>, variant: Side<P>, collection: IterationPolicy['collection']) {
    this.#base = base;
    this.#variant = variant;
    this.#collection = collection;
  }

  async setup(params: P): Promise<void> {
    await this.#base.benchmark.setup(params);
    await this.#variant.benchmark.setup(params);
  }

  prepareIteration(): void {}

  async runIteration(): Promise<void> {
    const isBaseFirst = this.#iteration++ % 2 === 0;
    const first = isBaseFirst ? this.#base : this.#variant;
    const second = isBaseFirst ? this.#variant : this.#base;
    const firstMs = await runSide(first.benchmark, this.#collection);
    const secondMs = await runSide(second.benchmark, this.#collection);
    this.#baseMs = isBaseFirst ? firstMs : secondMs;
    this.#variantMs = isBaseFirst ? secondMs : firstMs;
  }

  cleanupIteration(): void {}

  iterationObservations(): Observations {
    return {
      [`${VARIANT_TIME_PREFIX}${this.#base.label}`]: this.#baseMs,
      [`${VARIANT_TIME_PREFIX}${this.#variant.label}`]: this.#variantMs,
      overheadPercent: (this.#variantMs / this.#baseMs - 1) * 100,
    };
  }

  async teardown(): Promise<void> {
    try {
      await this.#base.benchmark.teardown();
    } finally {
      await this.#variant.benchmark.teardown();
    }
  }
}

/**
 * One side's whole iteration (preparation, a collection if `collection` asks for one, the timed run,
 * cleanup); returns the time of its `runIteration` in milliseconds.
 */
export async function runSide<P>(
  benchmark: Benchmark<P>,
  collection: IterationPolicy['collection'],
): Promise<number> {
  await benchmark.prepareIteration();
  if (collection === 'before-each-iteration') globalThis.gc?.();
  const start = process.hrtime.bigint();
  await benchmark.runIteration();
  const timeMs = Number(process.hrtime.bigint() - start) / 1e6;
  await benchmark.cleanupIteration(false, timeMs);
  return timeMs;
}
