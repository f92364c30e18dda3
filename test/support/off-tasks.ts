// Task modules for spawnOff tests: each function runs on a worker thread of the system's pool
// (the test names this file's compiled copy, .build/test/support/off-tasks.js).
import { threadId } from 'node:worker_threads';

/** Doubles its input. */
export function double(n: number): number {
  return n * 2;
}

/** The id of the thread it runs on (0 is the main thread). */
export function whereAmI(): number {
  return threadId;
}

/** Throws an `Error` with `message`. */
export function fail(message: string): never {
  throw new Error(message);
}

/** Resolves to a result that cannot be structured-cloned back to the parent. */
export function unclonable(): unknown {
  return { callback: () => 1 };
}

/** Not a function: a task naming it is not found. */
export const notAFunction = 3;

/**
 * Blocks its thread until the test opens `gate` (stores 1 at index 0 and notifies), for at most
 * 30 s, then returns `value`: a task that is running for as long as a test needs it to.
 */
export function waitForGate(input: { readonly gate: SharedArrayBuffer; readonly value: number }): number {
  Atomics.wait(new Int32Array(input.gate), 0, 0, 30_000);
  return input.value;
}

/** Keeps its thread busy for `ms` milliseconds of wall time, then returns how many loops it made. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let loops = 0;
  while (performance.now() < end) loops++;
  return loops;
}
