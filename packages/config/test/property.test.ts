import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig, loadConfigText, type MlflowConfig, migrateConfigText } from '../src/index.js';
import { tempDir } from './helpers.js';

const cwd = tempDir();

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
const name = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const positive = fc.double({ min: Number.MIN_VALUE, max: 1e9, noNaN: true });

const uri = fc.oneof(
  name.map((n) => `sqlite:///${n}.db`),
  name.map((n) => `sqlite:///${cwd}/${n}.db`),
  fc
    .tuple(
      fc.constantFrom('http', 'https'),
      fc.domain(),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      fc.option(name, { nil: undefined }),
    )
    .map(
      ([scheme, host, port, path]) =>
        `${scheme}://${host}${port ? `:${port}` : ''}${path ? `/${path}` : ''}`,
    ),
  fc.constant('memory:'),
);

// Patterns written as /body/flags must compile; everything else is a plain substring.
const redactPattern = text.filter((p) => {
  if (p.trim() === '') return false;
  const m = /^\/(.*)\/([a-z]*)$/s.exec(p);
  if (!m) return true;
  try {
    new RegExp(m[1]!, m[2]);
    return true;
  } catch {
    return false;
  }
});

// "__proto__" cannot be a plain object key, "<<" is YAML's merge key.
const tagKey = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__' && k !== '<<');

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const validConfig: fc.Arbitrary<MlflowConfig> = fc
  .record({
    enabled: fc.boolean(),
    tracking_uri: uri,
    experiment_name: text,
    experiment_id: optional(fc.stringMatching(/^[0-9]{1,6}$/)),
    run_name: optional(text),
    autolog_enabled: fc.boolean(),
    record_internal_chains: fc.constantFrom('full' as const, 'reference' as const, 'off' as const),
    log_prompts: fc.boolean(),
    sampling: fc.double({ min: 0, max: 1, noNaN: true }),
    max_payload_chars: fc.integer({ min: 1, max: 2 ** 31 }),
    redact: fc.array(redactPattern, { maxLength: 4 }),
    tags: fc.dictionary(tagKey, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
    session: optional(text),
    user: optional(text),
    token: optional(text),
    basic: optional(fc.tuple(text, text)),
    insecure_tls: fc.boolean(),
    ca_bundle: optional(text),
    request_timeout: positive,
    flush_timeout: positive,
    fallback: fc.record({ enabled: fc.boolean(), precheck_timeout: positive, uri }),
    pricing: fc.record({
      enabled: fc.boolean(),
      builtin: fc.boolean(),
      // Model names are map keys like tag names, with the same two exceptions.
      models: fc.dictionary(
        tagKey.filter((k) => k !== ''),
        fc.record(
          {
            input_per_million_tokens: fc.double({ min: 0, max: 1000, noNaN: true }),
            output_per_million_tokens: fc.double({ min: 0, max: 1000, noNaN: true }),
            cache_read_per_million_tokens: fc.double({ min: 0, max: 1000, noNaN: true }),
          },
          { requiredKeys: ['input_per_million_tokens', 'output_per_million_tokens'] },
        ),
        { maxKeys: 3 },
      ),
    }),
  })
  .map(({ basic, ...rest }) => {
    const config: MlflowConfig = { config_version: 2, ...rest };
    if (basic !== undefined) [config.username, config.password] = basic;
    // Optional keys are absent, never present-but-undefined, as after loading.
    for (const key of Object.keys(config) as (keyof MlflowConfig)[]) {
      if (config[key] === undefined) delete config[key];
    }
    return config;
  });

describe('property: valid configs survive serialise -> load unchanged', () => {
  it('through YAML text', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const yaml = stringify({ observability: { mlflow: config } });
        const result = loadConfigText(yaml, { env: {}, cwd });
        expect(result.errors).toEqual([]);
        expect(result.config?.observability.mlflow).toEqual(config);
        // A current file is left alone by the migrator.
        expect(migrateConfigText(yaml).changed).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('through a plain object', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const result = loadConfig(
          { observability: { mlflow: structuredClone(config) } },
          { env: {}, cwd },
        );
        expect(result.config?.observability.mlflow).toEqual(config);
      }),
      { numRuns: 100 },
    );
  });
});

/** Rewrites a current config into one of the MLflow 2.9-era spellings. */
function legacyShape(
  config: MlflowConfig,
  choice: {
    topLevel: boolean;
    autologKey: 'autolog' | 'enable_autolog' | 'autolog_enabled';
    renameOthers: boolean;
    verifySsl: boolean;
    fallbackUri: boolean;
  },
): Record<string, unknown> {
  const { config_version: _version, ...rest } = structuredClone(config);
  const section: Record<string, unknown> = { ...rest };
  const rename = (from: string, to: string) => {
    if (from !== to && from in section) {
      section[to] = section[from];
      delete section[from];
    }
  };
  rename('autolog_enabled', choice.autologKey);
  if (choice.renameOthers) {
    rename('experiment_name', 'experiment');
    rename('log_prompts', 'log_inputs_outputs');
    rename('token', 'tracking_token');
    rename('username', 'tracking_username');
    rename('password', 'tracking_password');
    rename('ca_bundle', 'tracking_server_cert_path');
    rename('request_timeout', 'timeout');
  }
  if (choice.verifySsl) {
    section.verify_ssl = !section.insecure_tls;
    delete section.insecure_tls;
  }
  if (choice.fallbackUri) {
    const fallback = section.fallback as Record<string, unknown>;
    section.fallback_uri = fallback.uri;
    delete fallback.uri;
  }
  return choice.topLevel ? { mlflow: section } : { observability: { mlflow: section } };
}

describe('property: legacy spellings load to the same config and migrate cleanly', () => {
  it('load(old) == load(migrate(old)), migrate is idempotent', () => {
    const choice = fc.record({
      topLevel: fc.boolean(),
      autologKey: fc.constantFrom(
        'autolog' as const,
        'enable_autolog' as const,
        'autolog_enabled' as const,
      ),
      renameOthers: fc.boolean(),
      verifySsl: fc.boolean(),
      fallbackUri: fc.boolean(),
    });
    fc.assert(
      fc.property(validConfig, choice, (config, how) => {
        const old = stringify(legacyShape(config, how));
        const loaded = loadConfigText(old, { env: {}, cwd });
        expect(loaded.errors).toEqual([]);
        expect(loaded.config?.observability.mlflow).toEqual(config);

        const migrated = migrateConfigText(old);
        expect(migrated.ok).toBe(true);
        const reloaded = loadConfigText(migrated.after, { env: {}, cwd });
        expect(reloaded.warnings.filter((w) => w.code.startsWith('CONFIG_LEGACY'))).toEqual([]);
        expect(reloaded.config?.observability.mlflow).toEqual(config);
        expect(migrateConfigText(migrated.after).changed).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
