import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText, migrateConfigFile, migrateConfigText } from '../src/index.js';
import { tempDir } from './helpers.js';

const root = tempDir();
let counter = 0;

/** A fresh directory holding `agent.yaml` with `text`. */
function fileWith(text: string): { dir: string; file: string } {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

const LEGACY = `%YAML 1.2
---
# Deployment of the agent service
defaults: &defaults
  retries: 3
service:
  <<: *defaults
  name: "agent" # quoted on purpose
  endpoints: {health: /healthz, ready: /readyz}

observability:
  otel:
    endpoint: http://collector:4318

# MLflow (legacy)
mlflow:
  tracking_uri: 'file:///srv/mlruns' # FileStore on the NFS share
  experiment: agent # the experiment

  # auth
  tracking_token: xyz
  verify_ssl: true
  fallback:
    precheck_timeout: 2
  fallback_uri: file://./mlruns
  # end of mlflow

# trailing comment
`;

const MIGRATED = `%YAML 1.2
---
# Deployment of the agent service
defaults: &defaults
  retries: 3
service:
  <<: *defaults
  name: "agent" # quoted on purpose
  endpoints: {health: /healthz, ready: /readyz}

observability:
  otel:
    endpoint: http://collector:4318

  # MLflow (legacy)
  mlflow:
    config_version: 2
    tracking_uri: 'sqlite:////srv/mlflow.db' # FileStore on the NFS share
    experiment_name: agent # the experiment

    # auth
    token: xyz
    insecure_tls: false
    fallback:
      precheck_timeout: 2
      uri: sqlite:///mlflow.db
    # end of mlflow

# trailing comment
`;

describe('migrateConfigText', () => {
  it('keeps comments, key order, quoting and unrelated sections', () => {
    const result = migrateConfigText(LEGACY, { filename: 'agent.yaml' });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.changed).toBe(true);
    expect(result.before).toBe(LEGACY);
    expect(result.after).toBe(MIGRATED);
    expect(result.warnings.map((w) => [w.code, w.line])).toEqual([
      ['CONFIG_LEGACY_SECTION', 16],
      ['CONFIG_LEGACY_URI', 17],
      ['CONFIG_LEGACY_KEY', 18],
      ['CONFIG_LEGACY_KEY', 21],
      ['CONFIG_LEGACY_KEY', 22],
      ['CONFIG_LEGACY_KEY', 25],
      ['CONFIG_LEGACY_URI', 25],
    ]);
    expect(result.notes).toEqual([
      'Import the runs of the old FileStore /srv/mlruns with: graphtrace import mlruns /srv/mlruns --to sqlite:////srv/mlflow.db',
      'Import the runs of the old FileStore ./mlruns with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    ]);
  });

  it('is idempotent', () => {
    const again = migrateConfigText(MIGRATED);
    expect(again).toEqual({
      ok: true,
      changed: false,
      before: MIGRATED,
      after: MIGRATED,
      warnings: [],
      errors: [],
      notes: [],
    });
  });

  it('keeps 4-space indentation and CRLF line endings', () => {
    expect(migrateConfigText('observability:\n    mlflow:\n        experiment: a\n').after).toBe(
      'observability:\n    mlflow:\n        config_version: 2\n        experiment_name: a\n',
    );
    expect(migrateConfigText('mlflow:\r\n  autolog: true\r\n').after).toBe(
      'observability:\r\n  mlflow:\r\n    config_version: 2\r\n    autolog_enabled: true\r\n',
    );
  });

  it('keeps sequences unindented when the file writes them so', () => {
    const text = 'mlflow:\n  experiment: a\n  redact:\n  - ssn\n  - email\n';
    expect(migrateConfigText(text).after).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    experiment_name: a\n    redact:\n    - ssn\n    - email\n',
    );
  });

  it('moves fallback_uri into an existing fallback mapping and fallback: false into enabled', () => {
    expect(
      migrateConfigText(
        'observability:\n  mlflow:\n    fallback:\n      enabled: true\n    # local copy\n    fallback_uri: sqlite:///local.db\n',
      ).after,
    ).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    fallback:\n      enabled: true\n      # local copy\n      uri: sqlite:///local.db\n',
    );
    expect(
      migrateConfigText('observability:\n  mlflow:\n    fallback: false\n    timeout: 9\n').after,
    ).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    fallback:\n      enabled: false\n    request_timeout: 9\n',
    );
  });

  it('keeps the comment of a dropped duplicate key', () => {
    const text =
      'observability:\n  mlflow:\n    # old name\n    experiment: a\n    # new name\n    experiment_name: b\n';
    expect(migrateConfigText(text).after).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    # old name\n    # new name\n    experiment_name: b\n',
    );
  });

  it('quotes the numbers MLflow 2.9 turned into strings itself', () => {
    const text = 'mlflow:\n  experiment_id: 12\n  tags:\n    version: 2\n    team: x\n';
    const loaded = loadConfigText(text, { env: {}, checkFilesystem: false });
    expect(loaded.config?.observability.mlflow).toMatchObject({
      experiment_id: '12',
      tags: { version: '2', team: 'x' },
    });
    expect(loaded.warnings.map((w) => w.message).slice(2)).toEqual([
      '<text>:2:18: read `experiment_id: 12` as the string "12"',
      '<text>:4:14: read `tags.version: 2` as the string "2"',
    ]);
    expect(migrateConfigText(text).after).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    experiment_id: "12"\n    tags:\n      version: "2"\n      team: x\n',
    );
  });

  it('adds only the marker to a current file without one', () => {
    const result = migrateConfigText('observability:\n  mlflow:\n    # local\n    enabled: true\n');
    expect(result.after).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    # local\n    enabled: true\n',
    );
    expect(result.warnings).toEqual([]);
    expect(result.notes).toEqual(['added the format marker config_version: 2']);
  });

  it('changes nothing in a file without the section', () => {
    const text = 'service:\n  name: x # keep\n';
    expect(migrateConfigText(text)).toMatchObject({
      ok: true,
      changed: false,
      after: text,
      notes: ['no observability.mlflow (or top-level mlflow) section found; nothing to migrate'],
    });
  });

  it('refuses invalid input and returns it unchanged', () => {
    const syntax = migrateConfigText('mlflow:\n  experiment: [a\n', { filename: 'agent.yaml' });
    expect(syntax).toMatchObject({
      ok: false,
      changed: false,
      after: 'mlflow:\n  experiment: [a\n',
    });
    expect(syntax.errors.map((e) => e.code)).toEqual(['CONFIG_YAML_SYNTAX']);

    const schema = migrateConfigText('mlflow:\n  experiment: a\n  sampling: 2\n', {
      filename: 'agent.yaml',
    });
    expect(schema.ok).toBe(false);
    expect(schema.after).toBe(schema.before);
    expect(schema.errors.map((e) => e.message)).toEqual([
      'agent.yaml:3:13: observability.mlflow.sampling must be at most 1, got 2',
    ]);
  });
});

describe('migrateConfigFile', () => {
  it('rewrites atomically, keeps a backup and the file mode', async () => {
    const { dir, file } = fileWith(LEGACY);
    chmodSync(file, 0o640);
    const result = await migrateConfigFile(file);
    expect(result.ok).toBe(true);
    expect(result.written).toBe(true);
    expect(result.backupPath).toBe(`${file}.bak`);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(LEGACY);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    // No temp file left behind.
    expect(readdirSync(dir).sort()).toEqual(['agent.yaml', 'agent.yaml.bak']);
    expect(loadConfig(file, { env: {}, checkFilesystem: false }).warnings).toEqual([]);
  });

  it('is idempotent: a second run writes nothing and makes no new backup', async () => {
    const { dir, file } = fileWith(LEGACY);
    await migrateConfigFile(file);
    const second = await migrateConfigFile(file);
    expect(second).toMatchObject({
      ok: true,
      changed: false,
      written: false,
      backupPath: undefined,
    });
    expect(readdirSync(dir).sort()).toEqual(['agent.yaml', 'agent.yaml.bak']);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
  });

  it('writes nothing on a dry run', async () => {
    const { dir, file } = fileWith(LEGACY);
    const result = await migrateConfigFile('agent.yaml', { dryRun: true, cwd: dir });
    expect(result).toMatchObject({ ok: true, changed: true, written: false, after: MIGRATED });
    expect(readFileSync(file, 'utf8')).toBe(LEGACY);
    expect(readdirSync(dir)).toEqual(['agent.yaml']);
  });

  it('leaves an invalid file untouched, without a backup', async () => {
    const broken = 'mlflow:\n  experiment: a\n  tracking_uri: ftp://nope\n';
    const { dir, file } = fileWith(broken);
    const result = await migrateConfigFile(file);
    expect(result.ok).toBe(false);
    expect(result.written).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(['CONFIG_INVALID_URI']);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['agent.yaml']);
  });

  it('never overwrites an earlier backup', async () => {
    const { file } = fileWith('mlflow:\n  autolog: true\n');
    writeFileSync(`${file}.bak`, 'precious');
    const result = await migrateConfigFile(file);
    expect(result.backupPath).toBe(`${file}.bak.1`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('precious');
    expect(readFileSync(`${file}.bak.1`, 'utf8')).toBe('mlflow:\n  autolog: true\n');
  });

  it('rewrites the target of a symlink and keeps the link', async () => {
    const { dir, file } = fileWith('mlflow:\n  autolog: true\n');
    const link = join(dir, 'link.yaml');
    symlinkSync(file, link);
    const result = await migrateConfigFile(link);
    expect(result.file).toBe(file);
    expect(statSync(link).isFile()).toBe(true);
    expect(readFileSync(link, 'utf8')).toBe(
      'observability:\n  mlflow:\n    config_version: 2\n    autolog_enabled: true\n',
    );
    expect(existsSync(`${file}.bak`)).toBe(true);
  });

  it('reports a missing file', async () => {
    const result = await migrateConfigFile(join(root, 'missing.yaml'));
    expect(result.ok).toBe(false);
    expect(result.errors[0]?.code).toBe('CONFIG_NOT_FOUND');
  });
});
