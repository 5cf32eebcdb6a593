/**
 * Bounds on one MLflow search filter, checked when it is parsed. Stores turn every comparison
 * into SQL and every IN value into a bound parameter; past these sizes SQLite fails with
 * "Expression tree is too large" or "too many SQL variables", and no real search needs more.
 * MLflow documents no limits of its own; these keep the largest filter well inside SQLite's
 * defaults (expression depth 1000, 32766 variables).
 */
export const FILTER_LIMITS = {
  /** Comparisons joined by AND in one filter. */
  comparisons: 100,
  /** Values of one `IN (...)` / `NOT IN (...)` list. */
  inListValues: 1_000,
  /** Values of all IN lists of one filter together. */
  totalInValues: 10_000,
} as const;
