import type { LayerValues, LoadIssues } from './config-layers.js';
import { ENV_BINDINGS, parseEnvValue } from './env.js';
import { makeIssue } from './errors.js';
import { addOptionValue } from './option-value.js';
import { OPTION_BY_PATH } from './options.js';
import { SECRET_OPTIONS } from './schema.js';

/** The values set by environment variables (`ENV_BINDINGS`), parsed and validated. */
export function envValues(
  env: Readonly<Record<string, string | undefined>>,
  issues: LoadIssues,
): LayerValues {
  const values: LayerValues = new Map();
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.variable];
    // An empty variable is how shells unset things for one command: treat it as absent.
    if (raw === undefined || raw === '') continue;
    const leaf = OPTION_BY_PATH.get(binding.path)!;
    const parsed = parseEnvValue(raw, binding.kind);
    if (!parsed.ok) {
      const shown = SECRET_OPTIONS.has(binding.path) ? 'the value' : JSON.stringify(raw);
      issues.errors.push(
        makeIssue('CONFIG_INVALID_ENV', `${shown} ${parsed.message}`, {
          variable: binding.variable,
          path: binding.path,
        }),
      );
      continue;
    }
    const { variable } = binding;
    addOptionValue(
      values,
      leaf,
      parsed.value,
      {
        location: { variable },
        origin: { kind: 'env', variable },
        source: { kind: 'env', variable },
        segments: leaf.segments,
      },
      issues,
    );
  }
  return values;
}
