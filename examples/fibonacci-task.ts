// The CPU-bound work of examples/off-loop.ts: a task module, imported by a worker thread of the
// system's pool (as compiled JavaScript), never by the event loop's thread.
// #region task

/** The `n`th Fibonacci number, the slow way: about 1.6^n calls, all CPU. */
export function fibonacci(n: number): number {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}
// #endregion task
