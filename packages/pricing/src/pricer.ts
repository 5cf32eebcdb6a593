import { builtinPrices, type PriceCatalog } from './builtin-prices.js';
import { costAt, type LlmCost, type PricedUsage } from './llm-cost.js';
import type { ModelPrice } from './model-price.js';

export interface PricerOptions {
  /**
   * Prices that win over the catalog, keyed by the model name a span reports (exactly, or
   * without its `provider/` prefix): fine-tunes, private deployments, negotiated rates.
   */
  readonly models?: Readonly<Record<string, ModelPrice>>;
  /** false: price only the models above. Default true: MLflow's model catalog as shipped. */
  readonly builtin?: boolean;
}

/** Prices model calls; `undefined` whenever the model has no known price, never a guess. */
export interface Pricer {
  /** The price a model is charged at, as `cost` finds it. */
  priceOf(model: string, provider?: string | null): ModelPrice | undefined;
  /** The cost of one call, as MLflow 3.17's builtin pricer computes it. */
  cost(model: string, provider: string | null | undefined, usage: PricedUsage): LlmCost | undefined;
}

// Gateway routes name an endpoint, not a model, so they have no catalog price (as in MLflow).
const SKIP_PREFIXES = ['gateway:/', 'endpoints:/'];

const bare = (model: string): string => {
  const slash = model.indexOf('/');
  return slash === -1 ? model : model.slice(slash + 1);
};

/**
 * Without a provider: the first provider (by name) that prices the model above zero wins, else
 * the first that knows it (as in MLflow; one that knows it without prices gives no cost).
 */
function scan(catalog: PriceCatalog, model: string): ModelPrice | undefined {
  let fallback: ModelPrice | null | undefined;
  for (const name of catalog.providers) {
    const price = catalog.lookup(name, model);
    if (price === undefined) continue;
    if (price && price.input_per_million_tokens > 0) return price;
    if (fallback === undefined) fallback = price;
  }
  return fallback ?? undefined;
}

export function createPricer(options: PricerOptions = {}): Pricer {
  const overrides = new Map(Object.entries(options.models ?? {}));
  const useBuiltin = options.builtin ?? true;
  // What the catalog gave per provider and bare model name: a model is looked up once.
  const found = new Map<string, ModelPrice | undefined>();

  const fromCatalog = (model: string, provider: string | null) => {
    const name = bare(model);
    const p = provider?.toLowerCase() ?? '';
    const key = `${p}\u0000${name}`;
    if (found.has(key)) return found.get(key);
    const catalog = builtinPrices();
    const own = p ? catalog.lookup(p, name) : undefined;
    // A provider that knows the model ends the search, priced or not (MLflow does not retry).
    const price = own !== undefined ? (own ?? undefined) : scan(catalog, name);
    // Bounded: a program naming endless distinct models stops memoising, it does not grow.
    if (found.size < 10_000) found.set(key, price);
    return price;
  };

  const priceOf = (model: string, provider?: string | null): ModelPrice | undefined => {
    if (typeof model !== 'string' || model === '') return undefined;
    const own = overrides.get(model) ?? overrides.get(bare(model));
    if (own) return own;
    if (!useBuiltin || SKIP_PREFIXES.some((s) => model.startsWith(s))) return undefined;
    const p =
      provider ||
      (model.startsWith('databricks-') || model.startsWith('databricks/') ? 'databricks' : null);
    return fromCatalog(model, p);
  };

  return {
    priceOf,
    cost(model, provider, usage) {
      const price = priceOf(model, provider);
      return price ? costAt(price, usage) : undefined;
    },
  };
}
