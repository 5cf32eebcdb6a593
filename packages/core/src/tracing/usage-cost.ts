import { TokenUsageKey } from '../model/keys.js';
import type { LlmCost, TokenUsage } from '../model/trace.js';

const CACHE_KEYS = [
  TokenUsageKey.CACHE_READ_INPUT_TOKENS,
  TokenUsageKey.CACHE_CREATION_INPUT_TOKENS,
  TokenUsageKey.CACHE_CREATION_INPUT_TOKENS_ABOVE_1HR,
] as const;

/** A stored value as an object: decoded JSON text (trace metadata) or the object itself. */
function asRecord(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') {
    try {
      return asRecord(JSON.parse(value));
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `mlflow.chat.tokenUsage` (or `mlflow.trace.tokenUsage`) read leniently; null when unusable. */
export function readTokenUsage(value: unknown): TokenUsage | null {
  const u = asRecord(value);
  if (!u) return null;
  const input = Number(u.input_tokens ?? 0);
  const output = Number(u.output_tokens ?? 0);
  const total = u.total_tokens === undefined ? input + output : Number(u.total_tokens);
  if (![input, output, total].every(Number.isFinite)) return null;
  const usage: TokenUsage = { input_tokens: input, output_tokens: output, total_tokens: total };
  for (const key of CACHE_KEYS) {
    const n = u[key];
    if (typeof n === 'number' && Number.isFinite(n)) usage[key] = n;
  }
  return usage;
}

/** `mlflow.llm.cost` (or `mlflow.trace.cost`): the three USD figures, else null. */
export function readLlmCost(value: unknown): LlmCost | null {
  const c = asRecord(value);
  if (!c) return null;
  const { input_cost, output_cost, total_cost } = c;
  return [input_cost, output_cost, total_cost].every(
    (n) => typeof n === 'number' && Number.isFinite(n),
  )
    ? ({ input_cost, output_cost, total_cost } as LlmCost)
    : null;
}

/** Adds `u` into `total`, cache counts included where either has them. */
export function addTokenUsage(total: TokenUsage, u: TokenUsage): void {
  total.input_tokens += u.input_tokens;
  total.output_tokens += u.output_tokens;
  total.total_tokens += u.total_tokens;
  for (const key of CACHE_KEYS) {
    if (u[key] !== undefined) total[key] = (total[key] ?? 0) + u[key];
  }
}

export function addCost(total: LlmCost, c: LlmCost): void {
  total.input_cost += c.input_cost;
  total.output_cost += c.output_cost;
  total.total_cost += c.total_cost;
}
