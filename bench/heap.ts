/**
 * Heap measurement for the memory metrics: the heap in use after full collections, so that only live
 * objects count. Needs `--expose-gc` (the runner starts every point process with it).
 */
export function settledHeapUsed(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('Heap measurements need `node --expose-gc`');
  // A second and third pass collect what the first one only made unreachable (weak references,
  // finalised objects).
  gc();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
