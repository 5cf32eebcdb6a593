/** Optimal-string-alignment distance: Levenshtein plus swaps of adjacent letters. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number) => d[i * cols + j]!;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The known key a misspelt one most likely meant: the nearest by edit distance when close
 * enough, else one that contains it or is contained in it (`sampling_rate` -> `sampling`),
 * else the one sharing the longest prefix of at least 5 letters (`sample_rate` -> `sampling`).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const needle = unknown.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(needle, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(needle.length * 0.4));
  if (best !== undefined && bestDistance <= limit) return best;
  const containing = known.find(
    (k) => k.length >= 4 && needle.length >= 4 && (needle.includes(k) || k.includes(needle)),
  );
  if (containing !== undefined) return containing;
  let longest = 4;
  let byPrefix: string | undefined;
  for (const candidate of known) {
    let n = 0;
    while (n < needle.length && needle[n] === candidate[n]) n++;
    if (n > longest) {
      longest = n;
      byPrefix = candidate;
    }
  }
  return byPrefix;
}
