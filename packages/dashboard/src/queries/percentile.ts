/**
 * Nearest-rank percentile of ascending values: the smallest value with at least `percent` % of
 * the observations at or below it, as the SQL analytics compute it. The rank is computed in
 * integers (`0.95 * 60` is 57.000000000000007 in floating point, whose ceiling is off by one).
 */
export function nearestRank(sorted: readonly number[], percent: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((percent * sorted.length) / 100);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
