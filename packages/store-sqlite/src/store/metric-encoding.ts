/**
 * MLflow's SQL stores cannot hold NaN or ±Infinity in a FLOAT column: NaN is stored as 0 with
 * `is_nan = 1`, ±Infinity as ±1.7976931348623157e308 (the largest double).
 */
export const MLFLOW_MAX_FLOAT = 1.7976931348623157e308;

export interface EncodedMetricValue {
  value: number;
  isNan: 0 | 1;
}

export function encodeMetricValue(value: number): EncodedMetricValue {
  if (Number.isNaN(value)) return { value: 0, isNan: 1 };
  if (value === Number.POSITIVE_INFINITY) return { value: MLFLOW_MAX_FLOAT, isNan: 0 };
  if (value === Number.NEGATIVE_INFINITY) return { value: -MLFLOW_MAX_FLOAT, isNan: 0 };
  return { value, isNan: 0 };
}

/** The inverse: the largest double reads back as the infinity it stands for. */
export function decodeMetricValue(value: number, isNan: number | bigint | boolean): number {
  if (Number(isNan) === 1) return Number.NaN;
  if (value >= MLFLOW_MAX_FLOAT) return Number.POSITIVE_INFINITY;
  if (value <= -MLFLOW_MAX_FLOAT) return Number.NEGATIVE_INFINITY;
  return value;
}

/**
 * MLflow's latest_metrics rule: a new observation replaces the latest one only when its
 * (step, timestamp, value) tuple is strictly greater, compared on the stored values (so NaN
 * compares as its stored 0).
 */
export function isNewerMetric(
  a: { step: number; timestamp: number; value: number },
  b: { step: number; timestamp: number; value: number },
): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}
