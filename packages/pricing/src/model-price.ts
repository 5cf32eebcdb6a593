/**
 * A model's token prices in USD per million tokens, named as in MLflow's model catalog. A cache
 * rate left out prices those tokens at the input rate, as MLflow does.
 */
export interface ModelPrice {
  readonly input_per_million_tokens: number;
  readonly output_per_million_tokens: number;
  readonly cache_read_per_million_tokens?: number;
  readonly cache_write_per_million_tokens?: number;
  /** Anthropic's 1-hour cache writes; without it they cost the (5-minute) cache write rate. */
  readonly cache_write_1hr_per_million_tokens?: number;
}

export const PRICE_FIELDS = [
  'input_per_million_tokens',
  'output_per_million_tokens',
  'cache_read_per_million_tokens',
  'cache_write_per_million_tokens',
  'cache_write_1hr_per_million_tokens',
] as const;

const REQUIRED = new Set<string>(PRICE_FIELDS.slice(0, 2));

/**
 * What is wrong with a price a user gave (config, API), or null when it is a valid
 * `ModelPrice`: an object of the fields above, each a finite number ≥ 0, input and output given.
 */
export function modelPriceProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return `needs an object with ${PRICE_FIELDS.slice(0, 2).join(' and ')}`;
  const known = new Set<string>(PRICE_FIELDS);
  for (const key of Object.keys(value)) {
    if (!known.has(key))
      return `has an unknown field "${key}"; the fields are ${PRICE_FIELDS.join(', ')}`;
  }
  for (const field of PRICE_FIELDS) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined) {
      if (REQUIRED.has(field)) return `needs ${field} (USD per million tokens)`;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return `${field} must be a number ≥ 0 (USD per million tokens), not ${JSON.stringify(v) ?? String(v)}`;
  }
  return null;
}
