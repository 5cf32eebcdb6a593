import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowTrackingUriScheme,
  type LoadConfigTextOptions,
  loadConfig,
  loadConfigText,
  tryParseTrackingUri,
} from '../src/index.js';
import { isRoot, tempDir } from './helpers.js';

const cwd = tempDir();

function load(text: string, options: LoadConfigTextOptions = {}) {
  return loadConfigText(text, { filename: 'agent.yaml', env: {}, cwd, ...options });
}

/** `[code, message]` of every error. */
function errors(text: string, options: LoadConfigTextOptions = {}) {
  const result = load(text, options);
  expect(result.ok).toBe(false);
  expect(result.config).toBeUndefined();
  return result.errors.map((e) => [e.code, e.message]);
}

const section = (body: string) => `observability:\n  mlflow:\n${body}`;

describe('YAML syntax errors', () => {
  it('reports an unclosed flow sequence with file:line:col', () => {
    const result = load(section('    tracking_uri: [sqlite\n    experiment_name: x\n'));
    expect(result.errors).toEqual([
      {
        code: 'CONFIG_YAML_SYNTAX',
        message:
          'agent.yaml:4:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
        file: 'agent.yaml',
        line: 4,
        column: 5,
      },
    ]);
  });

  it('reports an unclosed quote', () => {
    expect(errors(section('    tracking_uri: "sqlite:///mlflow.db\n'))).toEqual([
      ['CONFIG_YAML_SYNTAX', 'agent.yaml:4:1: YAML syntax error: Missing closing "quote'],
    ]);
  });

  it('reports a duplicate key', () => {
    expect(errors(section('    sampling: 1\n    sampling: 0.5\n'))).toEqual([
      [
        'CONFIG_DUPLICATE_KEY',
        'agent.yaml:4:5: this key appears twice in the same mapping; keep one',
      ],
    ]);
  });
});

describe('wrong types', () => {
  it('names the dot-path, the position, what was found and how to fix it', () => {
    const text = section(
      [
        '    sampling: "0.5"',
        '    autolog_enabled: "yes"',
        '    log_prompts: "false"',
        '    tags:',
        '      beta: true',
        '    redact: secret',
        '    max_payload_chars: 1.5',
        '    run_name: 2024',
        '    request_timeout: .inf',
        '',
      ].join('\n'),
    );
    expect(errors(text)).toEqual([
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:3:15: observability.mlflow.sampling must be a number, got "0.5" (remove the quotes)',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:4:22: observability.mlflow.autolog_enabled must be true or false, got "yes"',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:5:18: observability.mlflow.log_prompts must be true or false, got "false" (write true or false without quotes)',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:7:13: observability.mlflow.tags.beta must be a string, got true (quote it: "true")',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:8:13: observability.mlflow.redact must be a list, got "secret" (write a list: ["secret"])',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:9:24: observability.mlflow.max_payload_chars must be a whole number, got 1.5',
      ],
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:10:15: observability.mlflow.run_name must be a string, got 2024 (quote it: "2024")',
      ],
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:11:22: observability.mlflow.request_timeout must be a finite number, got Infinity',
      ],
    ]);
  });

  it('never echoes a secret', () => {
    const result = load(section('    token: 123456\n    password: [hunter2]\n    username: bob\n'));
    expect(result.errors.map((e) => e.message)).toEqual([
      'agent.yaml:3:12: observability.mlflow.token must be a string',
      'agent.yaml:4:15: observability.mlflow.password must be a string',
    ]);
  });

  it('rejects a file that is not a mapping, and a section that is not one', () => {
    expect(errors('- observability\n- mlflow\n')).toEqual([
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:1:1: the configuration must be a mapping (key: value) at the top level, got a list',
      ],
    ]);
    expect(errors('observability:\n  mlflow: yes\n')).toEqual([
      ['CONFIG_INVALID_TYPE', 'agent.yaml:2:11: observability.mlflow must be a mapping, got "yes"'],
    ]);
  });
});

describe('unknown keys', () => {
  it('suggests the nearest known key', () => {
    const text = section(
      [
        '    tracking_url: http://mlflow:5000',
        '    experiment_nam: agents',
        '    sampling_rate: 0.5',
        '    fallback:',
        '      precheck_timout: 2',
        '',
      ].join('\n'),
    );
    const result = load(text);
    expect(result.errors.map((e) => [e.code, e.message, e.suggestion])).toEqual([
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:3:5: unknown key `tracking_url` in `observability.mlflow`; did you mean `tracking_uri`?',
        'tracking_uri',
      ],
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:4:5: unknown key `experiment_nam` in `observability.mlflow`; did you mean `experiment_name`?',
        'experiment_name',
      ],
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:5:5: unknown key `sampling_rate` in `observability.mlflow`; did you mean `sampling`?',
        'sampling',
      ],
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:7:7: unknown key `precheck_timout` in `observability.mlflow.fallback`; did you mean `precheck_timeout`?',
        'precheck_timeout',
      ],
    ]);
    expect(result.errors[0]?.path).toBe('observability.mlflow.tracking_url');
  });

  it('lists the known keys when nothing is close', () => {
    expect(errors(section('    fallback:\n      colour: blue\n'))).toEqual([
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:4:7: unknown key `colour` in `observability.mlflow.fallback`; known keys: enabled, precheck_timeout, uri',
      ],
    ]);
  });

  it('treats old key names as mistakes in a file marked config_version 2', () => {
    expect(
      errors(
        section('    config_version: 2\n    autolog: true\n    tracking_uri: file://./mlruns\n'),
      ),
    ).toEqual([
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:4:5: unknown key `autolog` in `observability.mlflow`: `autolog` is the MLflow 2.9-era name of `autolog_enabled` in a file marked config_version 2; rename it (`graphtrace config migrate` does it for you)',
      ],
      [
        'CONFIG_INVALID_URI',
        'agent.yaml:5:19: observability.mlflow.tracking_uri: `file://./mlruns` is an MLflow FileStore URI (MLflow 2.x), which graphtrace does not write; use sqlite:///mlflow.db and import the old runs with `graphtrace import mlruns <dir> --to sqlite:///mlflow.db`',
      ],
    ]);
  });

  it('warns about a misspelt section name instead of silently using defaults', () => {
    const result = load('observability:\n  mlfow:\n    tracking_uri: http://mlflow:5000\n');
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => [w.code, w.message])).toEqual([
      [
        'CONFIG_UNKNOWN_KEY',
        'agent.yaml:2:3: `observability.mlfow` is not read by graphtrace; did you mean `observability.mlflow`?',
      ],
      ['CONFIG_SECTION_MISSING', 'agent.yaml: no `observability.mlflow` section; using defaults'],
    ]);
    const top = load('observabilty:\n  mlflow: {}\n');
    expect(top.warnings[0]?.message).toBe(
      'agent.yaml:1:1: `observabilty` is not read by graphtrace; did you mean `observability`?',
    );
  });

  it('does not flag unrelated sections of an app config', () => {
    const result = load(
      'server:\n  port: 80\nobserver: {}\nobservability:\n  otel: {}\n  mlflow: {}\n',
    );
    expect(result.warnings).toEqual([]);
  });
});

describe('values out of range', () => {
  it('rejects negative and zero timeouts, a sampling ratio above 1 and empty names', () => {
    const text = section(
      [
        '    request_timeout: 0',
        '    fallback:',
        '      precheck_timeout: -1',
        '    sampling: 1.5',
        '    experiment_name: ""',
        '    redact: ["/[unclosed/"]',
        '',
      ].join('\n'),
    );
    expect(errors(text)).toEqual([
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:3:22: observability.mlflow.request_timeout must be greater than 0 seconds, got 0',
      ],
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:5:25: observability.mlflow.fallback.precheck_timeout must be greater than 0 seconds, got -1',
      ],
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:6:15: observability.mlflow.sampling must be at most 1, got 1.5',
      ],
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:7:22: observability.mlflow.experiment_name must not be empty',
      ],
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:8:14: observability.mlflow.redact.0: `/[unclosed/` is not a valid regular expression (Invalid regular expression: /[unclosed/: Unterminated character class)',
      ],
    ]);
  });

  it('needs both halves of basic authentication', () => {
    expect(errors(section('    username: bob\n'))).toEqual([
      [
        'CONFIG_INVALID_VALUE',
        'agent.yaml:3:15: observability.mlflow.username is set but observability.mlflow.password is not; basic authentication needs both (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)',
      ],
    ]);
  });
});

describe('unsupported URIs', () => {
  it('a scheme a store package registered is accepted until it is unregistered', () => {
    const undo = allowTrackingUriScheme('ftp');
    expect(tryParseTrackingUri('ftp://files/mlflow')).toEqual({
      ok: true,
      value: { scheme: 'registered', name: 'ftp', url: 'ftp://files/mlflow' },
    });
    undo();
    expect(tryParseTrackingUri('ftp://files/mlflow')).toMatchObject({ ok: false });
  });

  const cases: [string, string][] = [
    [
      'ftp://files/mlflow',
      'unsupported scheme `ftp:`; use sqlite:///relative.db, sqlite:////absolute/path.db, http(s)://host[:port][/path] or memory:, or register a store for it with registerStoreScheme of @graphtrace/setup',
    ],
    [
      'postgresql://db/mlflow',
      '`postgresql:` is a database URI; graphtrace reaches such databases through an MLflow tracking server: run `mlflow server --backend-store-uri postgresql://...` and set the tracking URI to its http(s):// address',
    ],
    [
      'databricks',
      'Databricks workspaces are not supported as a tracking URI; use an http(s):// MLflow server',
    ],
    [
      'sqlite://host/mlflow.db',
      '`sqlite://host/mlflow.db`: a sqlite URI has three slashes and no host; write sqlite:///relative/path.db or sqlite:////absolute/path.db',
    ],
    [
      'http://user:pw@mlflow:5000',
      '`http://user:***@mlflow:5000`: credentials in the URI are not accepted; set username/password (or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD) instead',
    ],
    ['sqlite:///:memory:', '`sqlite:///:memory:`: for an in-memory store write `memory:`'],
  ];
  it.each(cases)('%s', (uri, why) => {
    expect(errors(section(`    config_version: 2\n    tracking_uri: "${uri}"\n`))).toEqual([
      ['CONFIG_INVALID_URI', `agent.yaml:4:19: observability.mlflow.tracking_uri: ${why}`],
    ]);
  });
});

describe('versions and layout', () => {
  it('refuses a newer config_version', () => {
    expect(errors(section('    config_version: 3\n'))).toEqual([
      [
        'CONFIG_UNSUPPORTED_VERSION',
        'agent.yaml:3:21: config_version 3 is newer than this graphtrace understands (2); upgrade @graphtrace/config',
      ],
    ]);
  });

  it('refuses both an old top-level section and a new one', () => {
    expect(
      errors('mlflow:\n  autolog: true\nobservability:\n  mlflow:\n    enabled: true\n'),
    ).toEqual([
      [
        'CONFIG_LEGACY_CONFLICT',
        'agent.yaml:1:1: both a top-level `mlflow:` section (MLflow 2.9-era layout) and `observability.mlflow:` are present; keep only `observability.mlflow:`',
      ],
    ]);
  });

  it('rejects a verify_ssl it cannot translate', () => {
    expect(errors('mlflow:\n  verify_ssl: 3\n')).toEqual([
      [
        'CONFIG_INVALID_TYPE',
        'agent.yaml:2:15: `verify_ssl` (MLflow 2.9-era) must be true, false or the path of a CA bundle',
      ],
    ]);
  });
});

describe('unwritable SQLite directory', () => {
  it('reports a missing directory, relative to cwd', () => {
    const result = load(section('    tracking_uri: sqlite:///data/runs/mlflow.db\n'));
    const dir = join(cwd, 'data/runs');
    expect(result.errors).toEqual([
      {
        code: 'CONFIG_UNWRITABLE_SQLITE_DIR',
        message: `agent.yaml:3:19: tracking_uri sqlite:///data/runs/mlflow.db: the directory ${dir} of the SQLite database does not exist; create it (mkdir -p ${dir}) or choose another path`,
        path: 'observability.mlflow.tracking_uri',
        file: 'agent.yaml',
        line: 3,
        column: 19,
      },
    ]);
  });

  it('reports a file where the directory should be', () => {
    writeFileSync(join(cwd, 'notes.txt'), 'x');
    expect(errors(section('    tracking_uri: sqlite:///notes.txt/mlflow.db\n'))).toEqual([
      [
        'CONFIG_UNWRITABLE_SQLITE_DIR',
        `agent.yaml:3:19: tracking_uri sqlite:///notes.txt/mlflow.db: ${join(cwd, 'notes.txt')} is not a directory, so the SQLite database ${join(cwd, 'notes.txt/mlflow.db')} cannot be created there`,
      ],
    ]);
  });

  // An absolute path inside our own temporary directory, so that nothing else can create it.
  const missing = join(cwd, 'not-created');

  it('checks the fallback store when the tracking server is remote', () => {
    expect(
      errors(
        section(
          `    tracking_uri: http://mlflow:5000\n    fallback:\n      uri: sqlite:///${missing}/x.db\n`,
        ),
      ),
    ).toEqual([
      [
        'CONFIG_UNWRITABLE_SQLITE_DIR',
        `agent.yaml:5:12: fallback.uri sqlite:///${missing}/x.db: the directory ${missing} of the SQLite database does not exist; create it (mkdir -p ${missing}) or choose another path`,
      ],
    ]);
  });

  it('names the variable when the URI came from the environment', () => {
    const result = load('', { env: { MLFLOW_TRACKING_URI: `sqlite:///${missing}/x.db` } });
    expect(result.errors.map((e) => [e.code, e.message, e.variable])).toEqual([
      [
        'CONFIG_UNWRITABLE_SQLITE_DIR',
        `$MLFLOW_TRACKING_URI: tracking_uri sqlite:///${missing}/x.db: the directory ${missing} of the SQLite database does not exist; create it (mkdir -p ${missing}) or choose another path`,
        'MLFLOW_TRACKING_URI',
      ],
    ]);
  });

  // root may write anywhere, so a permission test needs an ordinary user.
  it.skipIf(isRoot)('reports a directory without write permission', () => {
    const dir = join(cwd, 'readonly');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    try {
      expect(errors(section('    tracking_uri: sqlite:///readonly/mlflow.db\n'))).toEqual([
        [
          'CONFIG_UNWRITABLE_SQLITE_DIR',
          `agent.yaml:3:19: tracking_uri sqlite:///readonly/mlflow.db: the directory ${dir} of the SQLite database is not writable by this user; fix its permissions or choose another path`,
        ],
      ]);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('skips the check when tracing is disabled or checks are off', () => {
    const text = section('    tracking_uri: sqlite:///missing/mlflow.db\n');
    expect(load(text, { checkFilesystem: false }).ok).toBe(true);
    expect(load(text, { env: { GRAPHTRACE_ENABLED: 'false' } }).ok).toBe(true);
  });
});

describe('bad environment values', () => {
  it('names the variable and says what is expected', () => {
    const env = {
      MLFLOW_TRACKING_URI: 'ftp://files/mlflow',
      MLFLOW_TRACKING_INSECURE_TLS: 'maybe',
      MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon',
      GRAPHTRACE_SAMPLING: '1.5',
      GRAPHTRACE_MAX_PAYLOAD_CHARS: '1.5',
      GRAPHTRACE_TAGS: 'oops',
      GRAPHTRACE_FALLBACK_PRECHECK_TIMEOUT: '-2',
    };
    const result = load('', { env });
    expect(result.errors.map((e) => [e.code, e.message])).toEqual([
      [
        'CONFIG_INVALID_ENV',
        '$MLFLOW_TRACKING_URI: observability.mlflow.tracking_uri: unsupported scheme `ftp:`; use sqlite:///relative.db, sqlite:////absolute/path.db, http(s)://host[:port][/path] or memory:, or register a store for it with registerStoreScheme of @graphtrace/setup',
      ],
      [
        'CONFIG_INVALID_ENV',
        '$MLFLOW_TRACKING_INSECURE_TLS: "maybe" is not a boolean; use true or false',
      ],
      ['CONFIG_INVALID_ENV', '$MLFLOW_HTTP_REQUEST_TIMEOUT: "soon" is not a number'],
      [
        'CONFIG_INVALID_ENV',
        '$GRAPHTRACE_SAMPLING: observability.mlflow.sampling must be at most 1, got 1.5',
      ],
      ['CONFIG_INVALID_ENV', '$GRAPHTRACE_MAX_PAYLOAD_CHARS: "1.5" is not a whole number'],
      ['CONFIG_INVALID_ENV', '$GRAPHTRACE_TAGS: "oops" must look like key=value,key2=value2'],
      [
        'CONFIG_INVALID_ENV',
        '$GRAPHTRACE_FALLBACK_PRECHECK_TIMEOUT: observability.mlflow.fallback.precheck_timeout must be greater than 0 seconds, got -2',
      ],
    ]);
    expect(result.errors.map((e) => e.variable)).toEqual(Object.keys(env));
  });

  it('migrates a FileStore URI from the environment with a warning', () => {
    const result = load('', { env: { MLFLOW_TRACKING_URI: 'file:./mlruns' } });
    expect(result.config?.observability.mlflow.tracking_uri).toBe('sqlite:///mlflow.db');
    expect(result.warnings.map((w) => [w.code, w.message])).toContainEqual([
      'CONFIG_LEGACY_URI',
      '$MLFLOW_TRACKING_URI: `file:./mlruns` is an MLflow FileStore, which graphtrace does not write; using `sqlite:///mlflow.db` instead. Import the old runs with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    ]);
  });
});

describe('bad overrides and arguments', () => {
  it('reports override mistakes with their dot-path', () => {
    const result = load('', {
      overrides: {
        observability: {
          mlflow: { sampling: 2, trackin_uri: 'x', fallback: { urii: 1 } } as never,
        },
        foo: 1,
      } as never,
    });
    expect(result.errors.map((e) => [e.code, e.message])).toEqual([
      [
        'CONFIG_INVALID_OVERRIDE',
        'override: observability.mlflow.sampling must be at most 1, got 2',
      ],
      [
        'CONFIG_INVALID_OVERRIDE',
        'override: unknown option observability.mlflow.trackin_uri; did you mean `tracking_uri`?',
      ],
      [
        'CONFIG_INVALID_OVERRIDE',
        'override: unknown option observability.mlflow.fallback.urii; did you mean `uri`?',
      ],
      [
        'CONFIG_INVALID_OVERRIDE',
        'override: unknown option foo; overrides have the shape { observability: { mlflow: {...} } }',
      ],
    ]);
  });

  it('reports a missing file and never throws on odd input', () => {
    const missing = loadConfig('nope/graphtrace.yaml', { env: {}, cwd });
    expect(missing.errors).toEqual([
      {
        code: 'CONFIG_NOT_FOUND',
        message: `nope/graphtrace.yaml: config file not found (looked for ${join(cwd, 'nope/graphtrace.yaml')})`,
        file: 'nope/graphtrace.yaml',
      },
    ]);
    expect(loadConfig(cwd, { env: {}, cwd }).errors[0]?.message).toBe(
      `${cwd}: cannot read the config file: it is a directory`,
    );
    expect(loadConfig(42 as never, { env: {} }).errors[0]?.code).toBe('CONFIG_INVALID_TYPE');
    expect(loadConfig([1, 2] as never, { env: {} }).errors[0]?.code).toBe('CONFIG_INVALID_TYPE');
    const odd = loadConfig(
      { observability: { mlflow: { run_name: () => 1, user: 10n } } } as never,
      {
        env: {},
        cwd,
      },
    );
    expect(odd.errors.map((e) => e.message)).toEqual([
      'observability.mlflow.run_name must be a string, got function',
      'observability.mlflow.user must be a string, got bigint',
    ]);
  });
});

describe('secrets in messages', () => {
  it('never echoes the password of a tracking URI, from a file, the environment or a flag', () => {
    const uri = 'http://ada:hunter2secret@mlflow.internal:5000/';
    const fromFile = loadConfigText(`observability:\n  mlflow:\n    tracking_uri: "${uri}"\n`);
    const fromEnv = loadConfig(null, { env: { MLFLOW_TRACKING_URI: uri } });
    const fromFlag = loadConfig(null, {
      overrides: { observability: { mlflow: { tracking_uri: uri } } },
    });
    for (const r of [fromFile, fromEnv, fromFlag]) {
      expect(r.ok).toBe(false);
      const text = JSON.stringify([r.errors, r.warnings]);
      expect(text).not.toContain('hunter2secret');
      expect(text).toContain('http://ada:***@mlflow.internal:5000/');
    }
  });
});
