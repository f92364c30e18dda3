/**
 * The candidate closest to `name` by edit distance (ignoring case), if it is close enough to be a
 * likely typo: at most a third of `name`'s length, and at least 2, edits away. For "did you mean"
 * hints in errors about unknown keys.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The first of `names` that is not one of `known`, with the closest known one (for a "did you mean"
 * hint), or `undefined` when every name is known. For refusing misspelt option names.
 */
export function firstUnknownName(
  names: Iterable<string>,
  known: readonly string[],
): { readonly name: string; readonly closest: string | undefined } | undefined {
  for (const name of names) {
    if (!known.includes(name)) return { name, closest: closestName(name, known) };
  }
  return undefined;
}

/** Levenshtein distance of `a` and `b`, or `cap` once it is clear the distance is at least that. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= cap) return cap;
    previous = current;
  }
  return Math.min(previous[b.length] as number, cap);
}
