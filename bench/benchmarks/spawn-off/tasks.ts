// The tasks measure.ts runs on the spawnOff pool (and inline, for the comparison).

/** Keeps its thread busy for `ms` milliseconds of wall time; returns how many loops it made. */
export function spin(ms: number): number {
  const end = performance.now() + ms;
  let loops = 0;
  while (performance.now() < end) loops++;
  return loops;
}

/** The tiniest task: what a round trip costs beyond the work. */
export function echo(n: number): number {
  return n;
}
