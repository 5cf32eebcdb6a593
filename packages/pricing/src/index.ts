export { builtinPrices, type PriceCatalog, type PriceSource } from './builtin-prices.js';
export { costAt, type LlmCost, type PricedUsage } from './llm-cost.js';
export { type ModelPrice, modelPriceProblem, PRICE_FIELDS } from './model-price.js';
export { createPricer, type Pricer, type PricerOptions } from './pricer.js';
