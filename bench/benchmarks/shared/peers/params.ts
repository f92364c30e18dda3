import type { Params } from '../../../infra/params.js';

/** B3 Fibonacci: the root actor computes F(`n`) by spawning one actor per recursive call. */
export type FibonacciParams = { readonly n: number };

/** B6 crash loop: `faults` times, crash the actor and time until its replacement handles the next message. */
export type CrashLoopParams = { readonly faults: number };

/** B3 grid: n ∈ {20, 23, 25} full (13,529 / 57,313 / 150,049 actors), 18 smoke (5,167). */
export const FIBONACCI_N = { full: [20, 23, 25], smoke: [18] } as const;

/** B6 crash loop size: 10,000 faults full, 200 smoke. */
export const CRASH_LOOP_FAULTS = { full: 10_000, smoke: 200 } as const;

/** Idle actors created per peer for the memory measurement. */
export const IDLE_ACTORS = { full: 100_000, smoke: 10_000 } as const;

function positiveInteger(params: Params, name: string): number {
  const value = params[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(
      `Expected \`${name}\` to be an integer from 1 and up, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

/** Validates B3 parameters that arrived as JSON. */
export function parseFibonacciParams(params: Params): FibonacciParams {
  const n = positiveInteger(params, 'n');
  // F(79) is the last Fibonacci number below 2^53; 2·F(n) − 1 actors make n > 40 impractical anyway.
  if (n > 40) throw new RangeError(`Expected \`n\` to be at most 40, got \`${n}\``);
  return { n };
}

/** Validates B6 crash-loop parameters that arrived as JSON. */
export function parseCrashLoopParams(params: Params): CrashLoopParams {
  return { faults: positiveInteger(params, 'faults') };
}

/** F(n) with F(1) = F(2) = 1: the value every B3 implementation must return. */
export function fibonacci(n: number): number {
  let previous = 0;
  let current = 1;
  for (let i = 1; i < n; i++) {
    const next = previous + current;
    previous = current;
    current = next;
  }
  return current;
}

/** Actors one B3 run spawns, the root included: 2·F(n) − 1. */
export function fibonacciActorCount(n: number): number {
  return 2 * fibonacci(n) - 1;
}
