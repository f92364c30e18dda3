import { type Params, positiveInteger } from '../../infra/params.js';

/** B3 Fibonacci: the root actor computes F(`n`) by spawning one actor per recursive call (2·F(n) − 1). */
export type FibonacciParams = { readonly n: number };

/** Validates B3 parameters that arrived as JSON. */
export function parseFibonacciParams(params: Params): FibonacciParams {
  const n = positiveInteger(params, 'n');
  // 2·F(n) − 1 actors: n = 30 is already 1.6 M of them.
  if (n > 32) throw new RangeError(`Expected \`n\` to be at most 32, got \`${n}\``);
  return { n };
}

/** F(n) with F(1) = F(2) = 1: what every B3 implementation must compute. */
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
