import { distance } from 'fastest-levenshtein';

/** Levenshtein distance between two keys. */
export const editDistance: (a: string, b: string) => number = distance;

/**
 * The known key a misspelt one most likely meant: the nearest by Levenshtein distance when close
 * enough, else one that contains it or is contained in it (`sampling_rate` -> `sampling`),
 * else the one sharing the longest prefix of at least 5 letters (`sample_rate` -> `sampling`).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const needle = unknown.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(needle, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
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
