import { formatUsd as formatUsdValue } from '@graphtrace/core';

const two = (n: number) => String(n).padStart(2, '0');

/** `2026-11-26 13:39:06` in local time; `-` for no value. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `0.21 ms`, `56 ms`, `1.25 s`, `2m 03s`, `1h 02m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${two(totalSeconds % 60)}s`;
  return `${Math.floor(totalSeconds / 3600)}h ${two(Math.floor((totalSeconds % 3600) / 60))}m`;
}

/** Protobuf JSON form of a ms timestamp, as MLflow writes `request_time`. */
export function protoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Counts with thousands separators that do not depend on the locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A cost in US dollars by core's rules (`$0.00042`, `$1.23`); `-` for none: unpriced is not free. */
export function formatUsd(usd: number | null | undefined): string {
  return usd === null || usd === undefined || !Number.isFinite(usd) ? '-' : formatUsdValue(usd);
}
