import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOptions, loadConfig } from '@graphtrace/config';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';

const root = tempDir();
let n = 0;
let cwd: string;
const run = (args: string[], env?: Record<string, string>) =>
  graphtrace(args, { cwd, ...(env ? { env } : {}) });

beforeEach(() => {
  cwd = join(root.path, `case-${++n}`);
  mkdirSync(cwd);
});
afterAll(() => root.remove());

const LEGACY = `# app settings
app:
  name: demo
# tracking (MLflow 2.9)
mlflow:
  tracking_uri: file://./mlruns
  experiment: my_agent   # where runs go
  autolog: true
`;

describe('init', () => {
  it('writes a commented file listing every option, which loads without warnings', async () => {
    const r = await run([
      'init',
      '--experiment',
      'my_agent',
      '--tracking-uri',
      'http://localhost:5000',
    ]);
    expect(r.code).toBe(0);
    const text = readFileSync(join(cwd, 'graphtrace.yaml'), 'utf8');
    for (const option of describeOptions()) {
      const key = option.path.split('.').at(-1)!;
      expect(text, option.path).toMatch(new RegExp(`^ +(# )?${key}:`, 'm'));
      expect(text, option.path).toContain(option.description);
    }
    const loaded = loadConfig(join(cwd, 'graphtrace.yaml'), { env: {}, checkFilesystem: false });
    expect(loaded.errors).toEqual([]);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config?.observability.mlflow).toMatchObject({
      config_version: 2,
      experiment_name: 'my_agent',
      tracking_uri: 'http://localhost:5000',
      sampling: 1,
    });
  });

  it('refuses to overwrite without --force', async () => {
    writeFileSync(join(cwd, 'graphtrace.yaml'), 'mine: true\n');
    const r = await run(['init']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^graphtrace: error: graphtrace.yaml already exists; pass --force to overwrite it/,
    );
    expect(readFileSync(join(cwd, 'graphtrace.yaml'), 'utf8')).toBe('mine: true\n');
    const forced = await run(['init', '--force', '--path', 'graphtrace.yaml']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, 'graphtrace.yaml'), 'utf8')).toContain('config_version: 2');
  });
});

describe('config show', () => {
  it('shows each value with its source: file:line:col, environment, command line, default', async () => {
    await run(['init', '--experiment', 'from_file']);
    const r = json(
      await run(['--tracking-uri', 'sqlite:///flag.db', 'config', 'show', '--json'], {
        MLFLOW_EXPERIMENT_NAME: 'from_env',
        MLFLOW_TRACKING_TOKEN: 'hunter2-secret',
      }),
    );
    expect(r.file).toBe(join(cwd, 'graphtrace.yaml'));
    expect(r.config.observability.mlflow.experiment_name).toBe('from_env');
    expect(r.sources['observability.mlflow.experiment_name']).toEqual({
      kind: 'env',
      variable: 'MLFLOW_EXPERIMENT_NAME',
    });
    expect(r.sources['observability.mlflow.tracking_uri']).toEqual({ kind: 'override' });
    expect(r.sources['observability.mlflow.sampling']).toMatchObject({
      kind: 'file',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(r.config.observability.mlflow.token).toBe('***');
    const human = await run(['config', 'show'], { MLFLOW_TRACKING_TOKEN: 'hunter2-secret' });
    expect(human.code).toBe(0);
    expect(human.stdout).not.toContain('hunter2');
    expect(human.stdout).toMatch(/^token\s+\*\*\*\s+\$MLFLOW_TRACKING_TOKEN$/m);
    expect(human.stdout).toMatch(/^experiment_name\s+from_file\s+graphtrace\.yaml:\d+:\d+$/m);
    expect(human.stdout).toMatch(/^experiment_id\s+-\s+unset$/m);
  });
});

describe('config check', () => {
  it('passes a valid file and fails an invalid one with located messages (exit 2)', async () => {
    await run(['init']);
    const ok = await run(['config', 'check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ graphtrace\.yaml is valid/);
    writeFileSync(
      join(cwd, 'bad.yaml'),
      'observability:\n  mlflow:\n    config_version: 2\n    sampling: 3\n    trackin_uri: sqlite:///x.db\n',
    );
    const bad = await run(['--config', 'bad.yaml', 'config', 'check']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain(
      'bad.yaml:4:15: observability.mlflow.sampling must be at most 1, got 3',
    );
    expect(bad.stdout).toMatch(
      /bad\.yaml:5:5: unknown key `trackin_uri`.*did you mean `tracking_uri`\?/,
    );
    const asJson = await run(['--config', 'bad.yaml', 'config', 'check', '--json']);
    expect(asJson.code).toBe(2);
    expect(asJson.stderr).toBe('');
    const report = json(asJson);
    expect(report.ok).toBe(false);
    expect(report.errors.map((e: any) => e.code).sort()).toEqual([
      'CONFIG_INVALID_VALUE',
      'CONFIG_UNKNOWN_KEY',
    ]);
  });

  it('a bad config file makes other commands exit 2 with its first message', async () => {
    writeFileSync(
      join(cwd, 'graphtrace.yaml'),
      'observability:\n  mlflow:\n    config_version: 2\n    sampling: [1\n',
    );
    const r = await run(['traces', 'ls']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^graphtrace: error: graphtrace\.yaml:\d+:\d+: /);
    const env = await run(['experiments', 'ls'], { GRAPHTRACE_SAMPLING: 'lots' });
    expect(env.code).toBe(2);
  });
});

describe('config migrate', () => {
  it('previews a unified diff and changes nothing without --write', async () => {
    writeFileSync(join(cwd, 'old.yaml'), LEGACY);
    const r = await run(['config', 'migrate', 'old.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- a\/old\.yaml\n\+\+\+ b\/old\.yaml\n@@ /);
    expect(r.stdout).toContain('-  experiment: my_agent   # where runs go');
    expect(r.stdout).toContain('+    experiment_name: my_agent # where runs go');
    expect(r.stdout).toContain('+    tracking_uri: sqlite:///mlflow.db');
    expect(r.stderr).toContain('preview only: run again with --write');
    expect(r.stderr).toContain('graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db');
    expect(readFileSync(join(cwd, 'old.yaml'), 'utf8')).toBe(LEGACY);
    expect(existsSync(join(cwd, 'old.yaml.bak'))).toBe(false);
  });

  it('--write rewrites the file, keeps a backup, and a second run has nothing to do', async () => {
    writeFileSync(join(cwd, 'graphtrace.yaml'), LEGACY);
    const r = json(await run(['config', 'migrate', '--write', '--json']));
    expect(r).toMatchObject({
      ok: true,
      changed: true,
      written: true,
      backup_path: join(cwd, 'graphtrace.yaml.bak'),
    });
    expect(r.diff).toContain('+observability:');
    expect(readFileSync(join(cwd, 'graphtrace.yaml.bak'), 'utf8')).toBe(LEGACY);
    const after = readFileSync(join(cwd, 'graphtrace.yaml'), 'utf8');
    expect(after).toContain('# app settings');
    const loaded = loadConfig(join(cwd, 'graphtrace.yaml'), { env: {}, checkFilesystem: false });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config?.observability.mlflow).toMatchObject({
      experiment_name: 'my_agent',
      autolog_enabled: true,
    });
    const again = await run(['config', 'migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('already in the current format');
  });

  it('a missing or broken file is a usage error', async () => {
    const missing = await run(['config', 'migrate', 'absent.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^graphtrace: error: absent\.yaml: config file not found/);
    const none = await run(['config', 'migrate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file to migrate/);
  });
});
