// The sizes check.ts runs every peer at; the benchmarks' own parameters and their parsers are in each
// benchmark's params.ts (fibonacci/params.ts, fault-recovery/params.ts, …).

/** B3 grid: n ∈ {20, 23, 25} full (13,529 / 57,313 / 150,049 actors), 18 smoke (5,167). */
export const FIBONACCI_N = { full: [20, 23, 25], smoke: [18] } as const;

/** B6 crash loop size: 10,000 faults full, 200 smoke. */
export const CRASH_LOOP_FAULTS = { full: 10_000, smoke: 200 } as const;

/** Idle actors created per peer for the memory measurement. */
export const IDLE_ACTORS = { full: 100_000, smoke: 10_000 } as const;
