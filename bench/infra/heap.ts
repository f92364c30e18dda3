/**
 * Memory measurement for the memory metrics: the JavaScript heap in use plus the memory of
 * `ArrayBuffer`s (typed arrays' storage lives outside the heap; the timer table is made of them),
 * after full collections, so that only live objects count. Needs `--expose-gc` (the runner starts
 * every point process with it).
 */
export function settledMemoryUsed(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('Heap measurements need `node --expose-gc`');
  // A second and third pass collect what the first one only made unreachable (weak references,
  // finalised objects).
  gc();
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
