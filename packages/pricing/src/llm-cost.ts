import type { ModelPrice } from './model-price.js';

/** Token counts of one model call, with MLflow's `mlflow.chat.tokenUsage` keys. */
export interface PricedUsage {
  /** All input tokens, cached ones included (LangChain's, OpenAI's and MLflow's convention). */
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  /** The part of `input_tokens` read from the provider's prompt cache. */
  readonly cache_read_input_tokens?: number;
  /** The part of `input_tokens` written to the prompt cache. */
  readonly cache_creation_input_tokens?: number;
  /** The part of `cache_creation_input_tokens` written with a 1-hour lifetime (Anthropic). */
  readonly cache_creation_input_tokens_above_1hr?: number;
}

/** MLflow's `mlflow.llm.cost` value (and `mlflow.trace.cost`), in USD. */
export interface LlmCost {
  input_cost: number;
  output_cost: number;
  total_cost: number;
}

const count = (n: number | undefined): number => (typeof n === 'number' && n > 0 ? n : 0);

/**
 * The cost of one call at `price`, computed in the same order of float operations as MLflow's
 * builtin pricer, so both give the same figure to the last bit. Undefined when no token was used.
 */
export function costAt(price: ModelPrice, usage: PricedUsage): LlmCost | undefined {
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  if (input === 0 && output === 0) return undefined;
  const inputRate = price.input_per_million_tokens / 1_000_000;
  const perToken = (perMillion: number | undefined, fallback: number) =>
    perMillion === undefined ? fallback : perMillion / 1_000_000;

  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const write1h = Math.min(count(usage.cache_creation_input_tokens_above_1hr), cacheWrite);
  const writeRate = perToken(price.cache_write_per_million_tokens, inputRate);

  let inputCost = Math.max(input - cacheRead - cacheWrite, 0) * inputRate;
  if (cacheRead > 0)
    inputCost += cacheRead * perToken(price.cache_read_per_million_tokens, inputRate);
  if (cacheWrite - write1h > 0) inputCost += (cacheWrite - write1h) * writeRate;
  if (write1h > 0)
    inputCost += write1h * perToken(price.cache_write_1hr_per_million_tokens, writeRate);
  const outputCost = output * (price.output_per_million_tokens / 1_000_000);
  const total = inputCost + outputCost;
  // Absurd counts (1e308 tokens) overflow: no cost rather than an infinite one.
  return Number.isFinite(total)
    ? { input_cost: inputCost, output_cost: outputCost, total_cost: total }
    : undefined;
}
