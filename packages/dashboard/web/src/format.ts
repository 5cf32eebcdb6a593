/** Human-readable figures for tables and charts. */

/**
 * A duration, to the precision it has: a whole number of ms (MLflow stores a trace's duration
 * so) shows no decimals, while a span timed in ns keeps them ("2 ms" beside "2.21 ms").
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Number.isInteger(ms) && ms < 1000) return `${ms} ms`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return `${m}m ${s}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

const numberFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumFractionDigits: 1,
});

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return numberFormat.format(Math.round(n * 100) / 100);
}

export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) < 10_000 ? formatNumber(n) : compactFormat.format(n);
}

const usdFormat = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
/** Below this a cost is shown as "<$0.0000000001" rather than with more zeros. */
const SMALLEST_USD = 1e-10;

/**
 * US dollars: cents from $1 (`$1.23`, `$1,234.50`), below that two significant digits
 * (`$0.42`, `$0.012`, `$0.00042`, `$0.0009`), so a small cost stays readable and a non-zero
 * cost is never `$0.00`. No cost (a model without a known price) is "—", never $0.
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs === 0) return '$0.00';
  if (abs < SMALLEST_USD) return `${sign ? '>-' : '<'}$${SMALLEST_USD.toFixed(10)}`;
  // Rounded first, so 0.000996 has the decimals of 0.001, not of 0.00099.
  const rounded = Number(abs.toPrecision(2));
  if (rounded >= 1) return `${sign}${usdFormat.format(abs)}`;
  const decimals = Math.max(2, 1 - Math.floor(Math.log10(rounded)));
  // Cents keep two decimals ($0.50); smaller amounts drop trailing zeros ($0.0009).
  const text = rounded.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1');
  return `${sign}$${text}`;
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const p = ratio * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : p.toFixed(0)}%`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const shortDateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : dateTimeFormat.format(ms);
}

export function formatShortDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : shortDateTimeFormat.format(ms);
}

/** Today: the time; otherwise date and time. */
export function formatWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  return d.toDateString() === today.toDateString()
    ? timeFormat.format(ms)
    : shortDateTimeFormat.format(ms);
}

export function formatAgo(ms: number, now = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A bucket size in words: "5 minutes", "1 hour", "7 days". */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return formatDuration(ms);
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
