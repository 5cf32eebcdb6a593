import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText, MAX_CONFIG_BYTES, migrateConfigFile } from '../src/index.js';
import { tempDir } from './helpers.js';

const cwd = tempDir();
const HEADER = 'observability:\n  mlflow:\n    experiment_name: big\napp:\n';
/** A config with `n` keys in an unrelated section, as an app's own config file holds. */
const manyKeys = (n: number) => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`  k${i}: ${i % 10}`);
  return `${HEADER}${lines.join('\n')}\n`;
};

describe('large configs', () => {
  // The yaml library's own duplicate check compares each key with every earlier one: 80k keys
  // took minutes. Under the size cap they must load, and duplicates must still be found.
  it('loads a config with 80,000 keys', () => {
    const text = manyKeys(80_000);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_CONFIG_BYTES);
    const result = loadConfigText(text, { filename: 'app.yaml', env: {}, cwd });
    expect(result.errors).toEqual([]);
    expect(result.config?.observability.mlflow.experiment_name).toBe('big');
  });

  it('reports a duplicate among 80,000 keys with file:line:col', () => {
    const text = `${manyKeys(80_000)}  k40000: 1\n`;
    const result = loadConfigText(text, { filename: 'app.yaml', env: {}, cwd });
    const line = 80_000 + 5;
    expect(result.errors).toEqual([
      {
        code: 'CONFIG_DUPLICATE_KEY',
        message: `app.yaml:${line}:3: this key appears twice in the same mapping; keep one`,
        file: 'app.yaml',
        line,
        column: 3,
      },
    ]);
  });

  it('locates every one of 80,000 unknown keys in the section', () => {
    // Short keys keep the file under the size cap.
    const name = (i: number) => `k${i.toString(36)}`;
    const lines = Array.from({ length: 80_000 }, (_, i) => `    ${name(i)}: 1`);
    const text = `observability:\n  mlflow:\n${lines.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_CONFIG_BYTES);
    const result = loadConfigText(text, { filename: 'app.yaml', env: {}, cwd });
    expect(result.errors).toHaveLength(80_000);
    expect(result.errors.every((e) => e.code === 'CONFIG_UNKNOWN_KEY')).toBe(true);
    expect(result.errors[79_999]).toMatchObject({ line: 80_002, column: 5 });
    expect(result.errors[79_999]!.message).toMatch(
      new RegExp(
        `^app\\.yaml:80002:5: unknown key \`${name(79_999)}\` in \`observability\\.mlflow\``,
      ),
    );
  });

  it('refuses a file over 1 MiB, naming the file, its size and the limit, without parsing it', () => {
    const text = `${manyKeys(10)}${'#'.repeat(MAX_CONFIG_BYTES)}\n`;
    writeFileSync(join(cwd, 'huge.yaml'), text);
    const size = Buffer.byteLength(text);
    const result = loadConfig('huge.yaml', { env: {}, cwd });
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: 'CONFIG_TOO_LARGE', file: 'huge.yaml' });
    expect(result.errors[0]!.message).toBe(
      `huge.yaml: the config file is 1.0 MiB (${size} bytes), over the limit of 1 MiB (1048576 bytes); if it is not the graphtrace config, name the right file (GRAPHTRACE_CONFIG, or --config of the graphtrace command); if it is, move its large unrelated sections to another file`,
    );
    // The same for text in memory and for the migrator.
    const fromText = loadConfigText(text, { filename: 'stdin.yaml', env: {}, cwd });
    expect(fromText.errors.map((e) => e.code)).toEqual(['CONFIG_TOO_LARGE']);
  });

  it('migrateConfigFile refuses an oversized file and leaves it alone', async () => {
    const text = `mlflow:\n  tracking_uri: file://./mlruns\n${'#'.repeat(MAX_CONFIG_BYTES)}\n`;
    writeFileSync(join(cwd, 'old-huge.yaml'), text);
    const result = await migrateConfigFile('old-huge.yaml', { cwd });
    expect(result.ok).toBe(false);
    expect(result.written).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(['CONFIG_TOO_LARGE']);
  });
});

describe('duplicate keys (checked by graphtrace, not the yaml library)', () => {
  const dup = (text: string) =>
    loadConfigText(text, { filename: 'a.yaml', env: {}, cwd }).errors.map((e) => e.message);

  it('finds them in nested, flow and sequence mappings, in file order', () => {
    expect(
      dup(
        [
          'observability:',
          '  mlflow:',
          '    tags: { a: "1", b: "2", a: "3" }',
          'app:',
          '  - { x: 1 }',
          '  - name: n',
          '    name: m',
          'app: 2',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'a.yaml:3:29: this key appears twice in the same mapping; keep one',
      'a.yaml:7:5: this key appears twice in the same mapping; keep one',
      'a.yaml:8:1: this key appears twice in the same mapping; keep one',
    ]);
  });

  it('compares resolved values as the yaml library did: 1 and "1" differ, true and True do not', () => {
    expect(dup('app:\n  1: a\n  "1": b\n')).toEqual([]);
    expect(dup('app:\n  true: a\n  True: b\n')).toEqual([
      'a.yaml:3:3: this key appears twice in the same mapping; keep one',
    ]);
  });
});

describe('several YAML documents in one file', () => {
  it('names the file and the line of the second document', () => {
    const text = [
      'observability:',
      '  mlflow:',
      '    experiment_name: one',
      '---',
      'observability:',
      '  mlflow:',
      '    experiment_name: two',
      '',
    ].join('\n');
    const result = loadConfigText(text, { filename: 'agent.yaml', env: {}, cwd });
    expect(result.errors).toEqual([
      {
        code: 'CONFIG_YAML_SYNTAX',
        message:
          'agent.yaml:4:1: a second YAML document starts here; a graphtrace config must be a single YAML document: merge the documents into one mapping (remove the `---` or `...` separator) or keep only the one with `observability:`',
        file: 'agent.yaml',
        line: 4,
        column: 1,
      },
    ]);
    expect(result.errors[0]!.message).not.toMatch(/parseAllDocuments/);
  });

  it('still reads one document that starts with `---`', () => {
    const result = loadConfigText('---\nobservability:\n  mlflow:\n    experiment_name: one\n', {
      env: {},
      cwd,
    });
    expect(result.errors).toEqual([]);
  });
});
