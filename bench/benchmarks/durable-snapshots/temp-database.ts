import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** A fresh temp dir with a database file name in it, removed by `remove`. */
export function tempDatabase(): { readonly file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kompact-bench-sqlite-'));
  return { file: join(dir, 'bench.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Event-loop lag while something runs: Node's event-loop delay histogram sampled every millisecond
 * (how late a 1 ms timer fires). Started in `prepareIteration`, read after the iteration.
 */
export class LoopLag {
  #histogram: IntervalHistogram | undefined;

  start(): void {
    this.#histogram?.disable();
    this.#histogram = monitorEventLoopDelay({ resolution: 1 });
    this.#histogram.enable();
  }

  /** The p99 and the largest delay beyond the sampling interval, in milliseconds. */
  stop(): { readonly lagP99Ms: number; readonly lagMaxMs: number } {
    const histogram = this.#histogram;
    if (histogram === undefined) return { lagP99Ms: Number.NaN, lagMaxMs: Number.NaN };
    histogram.disable();
    // The histogram holds the whole interval between samples (1 ms and up): lateness is beyond 1 ms.
    const late = (ns: number): number => Math.max(0, ns / 1e6 - 1);
    return { lagP99Ms: late(histogram.percentile(99)), lagMaxMs: late(histogram.max) };
  }
}
