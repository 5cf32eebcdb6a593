// Regenerates packages/pricing/data/prices.json from the model catalog inside an installed MLflow
// wheel, so graphtrace prices a model as that MLflow version does. Usage:
//   node scripts/update-prices.mjs [path/to/site-packages/mlflow]
// Default: the cached MLflow 3.17.2 virtualenv the interop tests use.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir } from './cache.mjs';

const MLFLOW_VERSION = '3.17.2';
const mlflowDir =
  process.argv[2] ??
  join(cacheDir, `mlflow-${MLFLOW_VERSION}-venv/lib/python3.11/site-packages/mlflow`);
const catalog = join(mlflowDir, 'utils/model_catalog');
const COLUMNS = [
  'input_per_million_tokens',
  'output_per_million_tokens',
  'cache_read_per_million_tokens',
  'cache_write_per_million_tokens',
  'cache_write_1hr_per_million_tokens',
];

const version = readFileSync(join(mlflowDir, 'version.py'), 'utf8').match(/VERSION = "(.+)"/)?.[1];
if (!version)
  throw new Error(`${mlflowDir}/version.py names no VERSION: is this an mlflow package?`);
const providers = {};
let newest = '';
let models = 0;
for (const file of readdirSync(catalog)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const { models: entries } = JSON.parse(readFileSync(join(catalog, file), 'utf8'));
  const table = {};
  for (const [name, entry] of Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A model MLflow knows without token prices stays, as null: graphtrace gives it no cost
    // (where MLflow says 0), and must not look for the name under another provider either.
    const p = entry.pricing;
    if (!p || (p.input_per_million_tokens == null && p.output_per_million_tokens == null)) {
      table[name] = null;
      continue;
    }
    const row = COLUMNS.map((c) => p[c] ?? null);
    while (row.length > 2 && row[row.length - 1] === null) row.pop();
    table[name] = row;
    models++;
    if (entry.last_updated_at > newest) newest = entry.last_updated_at;
  }
  if (Object.keys(table).length > 0) providers[file.slice(0, -'.json'.length)] = table;
}

const out = resolve(import.meta.dirname, '../packages/pricing/data/prices.json');
const doc = {
  source: `MLflow ${version} model catalog (mlflow/utils/model_catalog in the mlflow wheel)`,
  updated: newest,
  unit: 'USD per million tokens',
  columns: COLUMNS,
  providers,
};
writeFileSync(out, `${JSON.stringify(doc)}\n`);
console.log(
  `${out}: ${models} models of ${Object.keys(providers).length} providers, newest price ${newest}`,
);
