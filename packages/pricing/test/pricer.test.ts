import { describe, expect, it } from 'vitest';
import { builtinPrices, costAt, createPricer, modelPriceProblem } from '../src/index.js';

// Figures MLflow 3.17.2's builtin pricer gives for the same calls (MLFLOW_MODEL_CATALOG_URI='').
describe('createPricer with the shipped catalog', () => {
  const pricer = createPricer();

  it('prices a call as MLflow does, to the last bit', () => {
    expect(
      pricer.cost('gpt-4o-mini', 'openai', { input_tokens: 1000, output_tokens: 500 }),
    ).toEqual({
      input_cost: 0.00015,
      output_cost: 0.0003,
      total_cost: 0.00045,
    });
    expect(
      pricer.cost('gpt-4o-mini', 'openai', {
        input_tokens: 1000,
        output_tokens: 500,
        cache_read_input_tokens: 400,
      }),
    ).toEqual({
      input_cost: 0.00011999999999999999,
      output_cost: 0.0003,
      total_cost: 0.00041999999999999996,
    });
  });

  it('prices cache reads, 5-minute and 1-hour cache writes at their own rates', () => {
    expect(
      pricer.cost('claude-sonnet-4-5', 'anthropic', {
        input_tokens: 1000,
        output_tokens: 500,
        cache_read_input_tokens: 200,
        cache_creation_input_tokens: 300,
        cache_creation_input_tokens_above_1hr: 100,
      }),
    ).toEqual({
      input_cost: 0.0029100000000000003,
      output_cost: 0.007500000000000001,
      total_cost: 0.01041,
    });
  });

  it('finds a model by its bare name, and without or with a provider the catalog lacks', () => {
    const plain = pricer.cost('gpt-4o-mini', null, { input_tokens: 1000, output_tokens: 500 });
    expect(
      pricer.cost('openai/gpt-4o-mini', null, { input_tokens: 1000, output_tokens: 500 }),
    ).toEqual(plain);
    // LangChain's provider name for Google is not a catalog name: the model is still found.
    expect(
      pricer.cost('gpt-4o-mini', 'no-such-provider', { input_tokens: 1000, output_tokens: 500 }),
    ).toEqual(plain);
    expect(
      pricer.cost('gpt-4o-mini', 'OpenAI', { input_tokens: 1000, output_tokens: 500 }),
    ).toEqual(plain);
  });

  it('gives no cost, never a guess, for an unknown model, a gateway route or no tokens', () => {
    expect(
      pricer.cost('no-such-model-xyz', 'openai', { input_tokens: 10, output_tokens: 5 }),
    ).toBeUndefined();
    expect(
      pricer.cost('gateway:/chat', null, { input_tokens: 10, output_tokens: 5 }),
    ).toBeUndefined();
    expect(
      pricer.cost('gpt-4o-mini', 'openai', { input_tokens: 0, output_tokens: 0 }),
    ).toBeUndefined();
    expect(pricer.cost('', null, { input_tokens: 10 })).toBeUndefined();
  });

  it('reads the catalog once, with its source and date', () => {
    const a = builtinPrices();
    expect(builtinPrices()).toBe(a);
    expect(a.source.source).toMatch(/^MLflow 3\.17\.2 model catalog/);
    expect(a.source.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(a.source.models).toBeGreaterThan(3000);
  });
});

describe('price overrides', () => {
  it('win over the catalog and price models it lacks', () => {
    const pricer = createPricer({
      models: {
        'gpt-4o-mini': { input_per_million_tokens: 1, output_per_million_tokens: 2 },
        'acme-7b': { input_per_million_tokens: 0.5, output_per_million_tokens: 1.5 },
      },
    });
    expect(
      pricer.cost('openai/gpt-4o-mini', null, {
        input_tokens: 1_000_000,
        output_tokens: 1_000_000,
      }),
    ).toEqual({
      input_cost: 1,
      output_cost: 2,
      total_cost: 3,
    });
    expect(pricer.cost('acme-7b', 'acme', { input_tokens: 2_000_000 })?.input_cost).toBe(1);
  });

  it('with builtin off, only the given models have a price', () => {
    const pricer = createPricer({ builtin: false, models: {} });
    expect(pricer.priceOf('gpt-4o-mini', 'openai')).toBeUndefined();
  });
});

describe('costAt', () => {
  it('prices cached tokens at the input rate when the model gives no cache rate', () => {
    const cost = costAt(
      { input_per_million_tokens: 2, output_per_million_tokens: 0 },
      {
        input_tokens: 1_000_000,
        cache_read_input_tokens: 500_000,
        cache_creation_input_tokens: 100_000,
      },
    );
    expect(cost?.input_cost).toBeCloseTo(2, 12);
  });

  it('gives no cost where absurd counts would make an infinite one', () => {
    const price = { input_per_million_tokens: 1e6, output_per_million_tokens: 1e6 };
    expect(costAt(price, { input_tokens: 1e308, output_tokens: 1e308 })).toBeUndefined();
  });

  it('ignores negative and non-numeric counts instead of producing a negative cost', () => {
    const cost = costAt(
      { input_per_million_tokens: 1, output_per_million_tokens: 1 },
      { input_tokens: 100, output_tokens: -5, cache_read_input_tokens: 500 },
    );
    expect(cost).toEqual({ input_cost: 0.0005, output_cost: 0, total_cost: 0.0005 });
  });
});

describe('modelPriceProblem', () => {
  it('accepts a valid price and names what is wrong with a bad one', () => {
    expect(
      modelPriceProblem({ input_per_million_tokens: 1, output_per_million_tokens: 0 }),
    ).toBeNull();
    expect(modelPriceProblem({ input_per_million_tokens: 1 })).toMatch(
      /needs output_per_million_tokens/,
    );
    expect(
      modelPriceProblem({ input_per_million_tokens: -1, output_per_million_tokens: 1 }),
    ).toMatch(/input_per_million_tokens must be a number ≥ 0/);
    expect(modelPriceProblem({ input: 1 })).toMatch(/unknown field "input"/);
    expect(modelPriceProblem('1.5')).toMatch(/needs an object/);
  });
});
