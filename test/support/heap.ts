// Heap measurements for the soak probes, which run under `node --expose-gc`.

/** The used heap after full collections (needs `--expose-gc`; `npm run soak` passes it). */
export async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined)
    throw new Error('Expected `global.gc`: run with node --expose-gc (npm run soak does)');
  // Finalizers and weak references settle over a few turns.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
