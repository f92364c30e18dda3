import { type Summary, summarise } from './stats.js';

/**
 * Named numbers a benchmark measured besides the iteration time: latency percentiles, the time of one
 * phase, heap bytes. Keys starting with {@link VARIANT_TIME_PREFIX} are the times of variants that one
 * iteration runs side by side (e.g. with and without a recovery function).
 */
export type Observations = Readonly<Record<string, number>>;

/**
 * Observation key prefix of a variant's time in milliseconds: a benchmark that runs two variants in
 * each iteration (interleaved, so machine noise hits both alike) reports `time:<label>` for each, and
 * each variant gets its own table row under that label.
 */
export const VARIANT_TIME_PREFIX = 'time:';

/**
 * One benchmark implementation, driven by {@link measure} in MPP's shape.
 *
 * @remarks Call order: `setup` once; then per iteration `prepareIteration` → `runIteration` (the only
 * timed part) → `cleanupIteration`; then `teardown` once, also after a failure. Components are made and
 * started in `prepareIteration` and killed in `cleanupIteration`, so neither is timed.
 *
 * MPP: `Benchmark` in `shared_rust/src/benchmark.rs`.
 */
export interface Benchmark<P> {
  /** Builds what lives across iterations (a system, a loop). */
  setup(params: P): void | Promise<void>;
  /** Creates and starts this iteration's actors. */
  prepareIteration(): void | Promise<void>;
  /** Starts the work and resolves when the last handler counted the latch down. */
  runIteration(): Promise<void>;
  /**
   * Checks the iteration's result and stops its actors. Throwing fails the data point.
   *
   * @param isLastIteration whether the harness will run no further iteration.
   * @param timeMs the iteration's measured time.
   */
  cleanupIteration(isLastIteration: boolean, timeMs: number): void | Promise<void>;
  /** Releases what `setup` built. */
  teardown(): void | Promise<void>;
  /**
   * Optional: what the iteration that just finished measured besides its time (called after
   * `cleanupIteration`, for timed iterations only; the table reports the median over iterations).
   */
  iterationObservations?(): Observations;
  /**
   * Optional: one untimed measurement after the timed iterations and before `teardown`, e.g. the heap
   * held per pending timer (it calls `gc()`, which must not run inside a timed region).
   */
  probe?(): Observations | Promise<Observations>;
}

/** How many iterations {@link measure} runs and when it stops. */
export interface IterationPolicy {
  /** Iterations run first and discarded (JIT warm-up). */
  readonly warmups: number;
  readonly minIterations: number;
  readonly maxIterations: number;
  /** Stop once the relative standard error of the mean time is at most this fraction. */
  readonly rseTarget: number;
  /**
   * Stop after `minIterations` once the timed iterations took this long in total, even when the RSE
   * target is not met (a noisy VM must not hold the whole run hostage); the result is flagged.
   */
  readonly maxTimedMs: number;
  /**
   * `before-each-iteration`: with `--expose-gc`, a full collection of the main thread's heap runs
   * between `prepareIteration` and the clock (see {@link measure}). `none`: no forced collection, for
   * benchmarks whose work runs on several threads (the harness can collect only the main thread's heap,
   * so the sides would run in different states; and after each forced collection V8 had to optimise
   * again the main side's code that runs once per iteration, inside the component's turn: B7b with one
   * pair at pipeline 1,000 made 3.8-4.4 M msgs/s that way against 5.8-7.0 M without it, in four
   * alternated runs of its iterations outside the harness), and for B3, whose iterations end with no
   * object of the actors' classes alive (see its notes).
   */
  readonly collection: 'before-each-iteration' | 'none';
}

/** Full runs: 3 discarded warm-ups, then 10–50 timed iterations until RSE ≤ 5 % (benchmarks.md §5). */
export const FULL_POLICY: IterationPolicy = {
  warmups: 3,
  minIterations: 10,
  maxIterations: 50,
  rseTarget: 0.05,
  maxTimedMs: 30_000,
  collection: 'before-each-iteration',
};

/** Smoke runs (CI): one iteration, no warm-up; it only has to complete. */
export const SMOKE_POLICY: IterationPolicy = {
  warmups: 0,
  minIterations: 1,
  maxIterations: 1,
  rseTarget: Number.POSITIVE_INFINITY,
  maxTimedMs: Number.POSITIVE_INFINITY,
  collection: 'before-each-iteration',
};

/** The timed iterations of one data point. */
export interface Measurement {
  /** Wall time of each timed iteration, in milliseconds, in run order. */
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  readonly warmups: number;
  /** Whether the RSE target was met (always true for a single-iteration policy). */
  readonly isRseMet: boolean;
  /** Each observation's values over the timed iterations, in run order. */
  readonly observations: Readonly<Record<string, readonly number[]>>;
  /** What the benchmark's `probe` measured (empty without one). */
  readonly probes: Observations;
}

/**
 * One measurement of a point that ran in several processes: their timed iterations and observations
 * in one list (process by process), summarised together. The RSE target counts as met when every
 * process met it; the probes are the first process's.
 */
export function pooled(measurements: readonly Measurement[]): Measurement {
  const [first] = measurements;
  if (first === undefined) throw new RangeError('Expected at least one measurement to pool, got 0');
  if (measurements.length === 1) return first;
  const samplesMs = measurements.flatMap((measurement) => measurement.samplesMs);
  const observations: Record<string, number[]> = {};
  for (const measurement of measurements) {
    for (const [name, values] of Object.entries(measurement.observations)) {
      const pooledValues = observations[name];
      if (pooledValues === undefined) observations[name] = [...values];
      else pooledValues.push(...values);
    }
  }
  return {
    samplesMs,
    summary: summarise(samplesMs),
    warmups: first.warmups,
    isRseMet: measurements.every((measurement) => measurement.isRseMet),
    observations,
    probes: first.probes,
  };
}

/**
 * Runs `benchmark` with `params` under `policy` and returns its iteration times.
 *
 * @remarks The clock starts just before `runIteration` and stops when its promise resolves. With
 * `--expose-gc` a full collection runs between `prepareIteration` and the clock, so the garbage of the
 * previous iteration is not collected inside this one's timed region. It runs after the preparation,
 * not after the previous cleanup, because V8 discards optimised code that embeds a hidden class no
 * live object has: collected while no component of the benchmark was alive, every hot function was
 * discarded and each timed iteration started from unoptimised code.
 */
export async function measure<P>(
  benchmark: Benchmark<P>,
  params: P,
  policy: IterationPolicy,
): Promise<Measurement> {
  const samplesMs: number[] = [];
  let warmupsLeft = policy.warmups;
  let timedTotalMs = 0;
  let isRseMet = false;
  const observations: Record<string, number[]> = {};
  let probes: Observations = {};
  await benchmark.setup(params);
  try {
    for (;;) {
      await benchmark.prepareIteration();
      if (policy.collection === 'before-each-iteration') globalThis.gc?.();
      const start = process.hrtime.bigint();
      await benchmark.runIteration();
      const timeMs = Number(process.hrtime.bigint() - start) / 1e6;
      let isLast = false;
      const isWarmup = warmupsLeft > 0;
      if (isWarmup) {
        warmupsLeft--;
      } else {
        samplesMs.push(timeMs);
        timedTotalMs += timeMs;
        const count = samplesMs.length;
        isRseMet = count === 1 ? policy.maxIterations === 1 : summarise(samplesMs).rse <= policy.rseTarget;
        isLast =
          count >= policy.maxIterations ||
          (count >= policy.minIterations && (isRseMet || timedTotalMs >= policy.maxTimedMs));
      }
      await benchmark.cleanupIteration(isLast, timeMs);
      if (!isWarmup) {
        for (const [name, value] of Object.entries(benchmark.iterationObservations?.() ?? {})) {
          const values = observations[name];
          if (values === undefined) observations[name] = [value];
          else values.push(value);
        }
      }
      if (isLast) break;
    }
    if (benchmark.probe !== undefined) probes = await benchmark.probe();
  } finally {
    await benchmark.teardown();
  }
  return {
    samplesMs,
    summary: summarise(samplesMs),
    warmups: policy.warmups,
    isRseMet,
    observations,
    probes,
  };
}
