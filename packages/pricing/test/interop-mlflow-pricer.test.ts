import {
  describeInterop,
  INTEROP_TEST_TIMEOUT_MS,
  MLFLOW_NEWEST,
  runPythonJson,
} from '@graphtrace/mlflow-testkit';
import { expect, it } from 'vitest';
import { builtinPrices, createPricer, type PricedUsage } from '../src/index.js';

interface Call {
  model: string;
  provider: string | null;
  usage: PricedUsage;
}

/** Every 7th catalog model, asked with and without its provider, with cache counts on some. */
function sampleCalls(): Call[] {
  const calls: Call[] = [];
  let i = 0;
  const catalog = builtinPrices();
  for (const provider of catalog.providers) {
    for (const model of catalog.models(provider)) {
      if (i++ % 7 !== 0) continue;
      const usage: PricedUsage =
        i % 3 === 0
          ? {
              input_tokens: 1000 + i,
              output_tokens: 300 + (i % 97),
              cache_read_input_tokens: 200,
              cache_creation_input_tokens: 150,
              cache_creation_input_tokens_above_1hr: 50,
            }
          : { input_tokens: 10 + i, output_tokens: i % 5 === 0 ? 0 : 7 * i };
      calls.push({ model, provider: i % 2 === 0 ? provider : null, usage });
    }
  }
  calls.push({
    model: 'no-such-model-xyz',
    provider: 'openai',
    usage: { input_tokens: 5, output_tokens: 5 },
  });
  calls.push({
    model: 'databricks-claude-sonnet-4-5',
    provider: null,
    usage: { input_tokens: 5, output_tokens: 5 },
  });
  return calls;
}

// The shipped catalog is MLflow 3.17.2's: both must price every call identically.
describeInterop(
  'pricing agrees with MLflow 3.17.2 builtin pricer',
  () => {
    it(
      'gives the same cost for a sample of the catalog, with and without a provider',
      async () => {
        const calls = sampleCalls();
        expect(calls.length).toBeGreaterThan(500);
        const theirs = await runPythonJson<(Record<string, number> | null)[]>(
          `
import json, sys
from mlflow.tracing.utils import calculate_cost_by_model_and_token_usage as cost
calls = json.loads(${JSON.stringify(JSON.stringify(calls))})
print(json.dumps([cost(c["model"], c["usage"], c["provider"]) for c in calls]))
`,
          { mlflowVersion: MLFLOW_NEWEST, env: { MLFLOW_MODEL_CATALOG_URI: '' } },
        );
        const pricer = createPricer();
        const ours = calls.map((c) => pricer.cost(c.model, c.provider, c.usage) ?? null);
        // Where MLflow knows a model without prices it says 0; graphtrace gives no cost instead.
        const zero = { input_cost: 0, output_cost: 0, total_cost: 0 };
        for (const [k, c] of calls.entries()) {
          if (
            ours[k] === null &&
            JSON.stringify(theirs[k]) === JSON.stringify(zero) &&
            !pricer.priceOf(c.model, c.provider)
          )
            theirs[k] = null;
        }
        const differing = calls
          .map((c, k) => ({ ...c, ours: ours[k], theirs: theirs[k] }))
          .filter((d) => JSON.stringify(d.ours) !== JSON.stringify(d.theirs));
        expect(differing.slice(0, 5)).toEqual([]);
        expect(ours.filter((c) => c !== null).length).toBeGreaterThan(300);
      },
      INTEROP_TEST_TIMEOUT_MS,
    );
  },
  { mlflowVersion: MLFLOW_NEWEST },
);
