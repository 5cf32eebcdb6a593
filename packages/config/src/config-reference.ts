import { stringify } from 'yaml';
import { describeOptions } from './options.js';

/** A YAML snippet setting one option at its dot-path, for the reference's examples. */
function example(path: string, value: unknown): string {
  const keys = path.split('.');
  let node: unknown = value;
  for (const k of [...keys].reverse()) node = { [k]: node };
  return stringify(node).trimEnd();
}

const EXAMPLES: Record<string, unknown> = {
  'observability.mlflow.experiment_id': '42',
  'observability.mlflow.run_name': 'nightly-eval',
  'observability.mlflow.autolog_enabled': true,
  'observability.mlflow.log_prompts': false,
  'observability.mlflow.record_internal_chains': 'reference',
  'observability.mlflow.sampling': 0.25,
  'observability.mlflow.redact': ['^customer_', 'ssn'],
  'observability.mlflow.tags': { team: 'search', env: 'prod' },
  'observability.mlflow.session': 'thread-42',
  'observability.mlflow.user': 'ada',
  'observability.mlflow.username': 'mlflow-writer',
  'observability.mlflow.insecure_tls': true,
  'observability.mlflow.ca_bundle': '/etc/ssl/certs/company-ca.pem',
  'observability.mlflow.tracking_uri': 'http://mlflow.internal:5000',
  'observability.mlflow.pricing.models': {
    'acme-finetune-7b': { input_per_million_tokens: 0.3, output_per_million_tokens: 1.2 },
  },
};

/**
 * CONFIG_REFERENCE.md, generated from the schema's own descriptions so it cannot drift: a test
 * compares the committed file with this output.
 */
export function renderConfigReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from the zod schema of @graphtrace/config by renderConfigReference(); a test',
    '     fails when this file and the schema disagree. Regenerate: pnpm --filter @graphtrace/config run docs -->',
    '',
    'graphtrace reads the `observability.mlflow` section of a YAML file (`graphtrace.yaml`, or the',
    'file named by `GRAPHTRACE_CONFIG`). Precedence, lowest first: defaults < file < environment',
    '< explicit overrides. `graphtrace config show` prints every effective value and where it came',
    'from; `graphtrace config check` validates a file; `graphtrace config migrate` upgrades an',
    'MLflow 2.9-era file (see [MIGRATION.md](MIGRATION.md)).',
    '',
    '| option | type | default | environment | description |',
    '|---|---|---|---|---|',
  ];
  const options = describeOptions();
  for (const o of options) {
    const def = o.default === undefined ? '—' : `\`${JSON.stringify(o.default)}\``;
    const env = o.env.length ? o.env.map((e) => `\`${e}\``).join(', ') : '—';
    lines.push(
      `| \`${o.path}\` | ${o.type} | ${def} | ${env} | ${o.description}${o.secret ? ' (secret: masked in output)' : ''} |`,
    );
  }
  lines.push('', '## Examples', '');
  for (const o of options) {
    if (o.secret) {
      lines.push(
        `### \`${o.path}\``,
        '',
        `${o.description}. Keep it out of files: set ${o.env.map((e) => `\`${e}\``).join(' or ')} in the environment instead.`,
        '',
      );
      continue;
    }
    const value = EXAMPLES[o.path] ?? o.default;
    if (value === undefined) continue;
    lines.push(
      `### \`${o.path}\``,
      '',
      `${o.description}.`,
      '',
      '```yaml',
      example(o.path, value),
      '```',
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
