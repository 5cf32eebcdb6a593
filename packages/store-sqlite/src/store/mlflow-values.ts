/**
 * How MLflow's Python store turns loose values into its analytics columns (3.17's
 * `trace_analytics` helpers and the `75868b020152` backfill): the same rules here, so a value
 * graphtrace writes or migrates lands as MLflow would put it.
 */

const INT64_LIMIT = 2 ** 63;

/** A decimal number as Python's Decimal()/float() read it: spaces around, `_` between digits. */
const DECIMAL =
  /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t.replaceAll('_', '')) : undefined;
}

/**
 * A token count: an integral number within BIGINT (numbers, or strings of them); bools, fractions,
 * non-finite values and anything else are no count (MLflow's `token_count_or_none`).
 */
export function tokenCountOrNone(value: unknown): number | null {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string') n = parseDecimal(value);
  if (n === undefined || !Number.isInteger(n)) return null;
  return n >= -INT64_LIMIT && n < INT64_LIMIT ? n : null;
}

/** A finite float (numbers, or strings of them); anything else is none (`finite_float_or_none`). */
export function finiteFloatOrNone(value: unknown): number | null {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string') n = parseDecimal(value);
  return n !== undefined && Number.isFinite(n) ? n : null;
}

/** The first `max` code points of a string, as Python's `value[:max]` (astral chars count once). */
export function boundedString(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  if (value.length <= max) return value;
  const points = Array.from(value);
  return points.length <= max ? value : points.slice(0, max).join('');
}

/** JSON text parsed, or undefined when it is not JSON (Python's json.loads also reads NaN). */
export function parseJsonLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/\b(-?Infinity|NaN)\b/g, 'null'));
    } catch {
      return undefined;
    }
  }
}

/** A JSON object's entries, or {} for anything else (MLflow's `json_object`). */
export function jsonObject(value: unknown): Record<string, unknown> {
  const parsed = typeof value === 'string' ? parseJsonLoose(value) : value;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/**
 * An assessment value as a number for rollups: booleans and yes/no as 1/0 (not numeric),
 * finite numbers as themselves (numeric), anything else none (`assessment_aggregate`).
 */
export function assessmentAggregate(valueJson: string | null): {
  aggregate: number | null;
  numeric: 0 | 1;
} {
  const parsed = valueJson === null ? null : parseJsonLoose(valueJson);
  const value = parsed === undefined ? valueJson : parsed;
  if (typeof value === 'boolean') return { aggregate: value ? 1 : 0, numeric: 0 };
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? { aggregate: value, numeric: 1 }
      : { aggregate: null, numeric: 0 };
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'yes' || word === 'no') return { aggregate: word === 'yes' ? 1 : 0, numeric: 0 };
  }
  return { aggregate: null, numeric: 0 };
}

/** A float as Python's repr writes it (`1.0`, `1e-05`, `1.5e+16`). */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = String(x);
  return fixed.includes('.') || fixed.includes('e') ? fixed : `${fixed}.0`;
}

/**
 * A flat JSON object as Python's json.dumps writes it (`{"a": 1, "b": 0.5}`): ints for `ints`,
 * floats in repr form for `floats`, in the given order.
 */
export function pyJsonObject(entries: readonly [string, number, 'int' | 'float'][]): string {
  return `{${entries
    .map(([k, v, kind]) => `${JSON.stringify(k)}: ${kind === 'int' ? String(v) : pyFloat(v)}`)
    .join(', ')}}`;
}
