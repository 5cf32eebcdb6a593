import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, tempDir } from './helpers/cli.js';
import { type Seeded, seedSqlite } from './helpers/seed.js';

const dir = tempDir();
let seeded: Seeded;
const run = (args: string[], env?: Record<string, string>) =>
  graphtrace(args, { cwd: dir.path, ...(env ? { env } : {}) });

beforeAll(async () => {
  seeded = await seedSqlite(dir.path);
});
afterAll(() => dir.remove());

/** Every error is one line on stderr, prefixed, with nothing on stdout. */
function expectOneLineError(r: { stdout: string; stderr: string }, pattern: RegExp) {
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^graphtrace: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('help and version', () => {
  it('--help lists every command, the URI precedence and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'init',
      'config',
      'doctor',
      'experiments',
      'runs',
      'traces',
      'import',
      'sync',
      'ui',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 failure, 2 usage or configuration error.');
    expect(r.stdout).toContain('MLFLOW_TRACKING_URI');
  });

  it('every command has --help with examples', async () => {
    const commands = [
      ['init'],
      ['config'],
      ['config', 'show'],
      ['config', 'check'],
      ['config', 'migrate'],
      ['doctor'],
      ['experiments', 'ls'],
      ['runs', 'ls'],
      ['runs', 'show'],
      ['traces', 'ls'],
      ['traces', 'show'],
      ['traces', 'export'],
      ['traces', 'rm'],
      ['import', 'mlruns'],
      ['sync'],
      ['ui'],
    ];
    const results = await Promise.all(commands.map((c) => run([...c, '--help'])));
    results.forEach((r, i) => {
      expect(r.code, commands[i]!.join(' ')).toBe(0);
      expect(r.stdout, commands[i]!.join(' ')).toMatch(/Examples:\n {2}\$ graphtrace /);
      // Global options are shown in every command's help.
      expect(r.stdout, commands[i]!.join(' ')).toContain('--tracking-uri <uri>');
    });
  });

  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('usage errors exit 2 with one line', () => {
  it('unknown command, with a suggestion', async () => {
    const r = await run(['tarces', 'ls']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /unknown command 'tarces' \(Did you mean traces\?\)/);
  });

  it('unknown option, with a suggestion', async () => {
    const r = await run(['traces', 'ls', '--limt', '3']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /unknown option '--limt' \(Did you mean --limit\?\)/);
  });

  it('a bad --limit value', async () => {
    const r = await run(['runs', 'ls', '--limit', '0']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /--limit <n>.*'0' is invalid.*at least 1/);
  });

  it('a missing argument and a missing subcommand', async () => {
    const missingArg = await run(['traces', 'show']);
    expect(missingArg.code).toBe(2);
    expectOneLineError(missingArg, /missing required argument 'trace_id'/);
    const missingSub = await run(['traces']);
    expect(missingSub.code).toBe(2);
    expect(missingSub.stdout).toBe('');
    expect(missingSub.stderr).toContain('Usage: graphtrace traces');
  });

  it('a bad filter names the column', async () => {
    const r = await run(['traces', 'ls', '--filter', "attributes.staus = 'OK'"]);
    expect(r.code).toBe(2);
    expectOneLineError(
      r,
      /Invalid filter at column 1: unknown attribute `staus`; did you mean `status`\?/,
    );
    const order = await run(['runs', 'ls', '--order-by', 'metrics.acc SIDEWAYS']);
    expect(order.code).toBe(2);
    expectOneLineError(order, /Invalid order_by at column \d+/);
  });

  it('a bad --tracking-uri', async () => {
    const r = await run(['--tracking-uri', 'ftp://example/x', 'traces', 'ls']);
    expect(r.code).toBe(2);
    expectOneLineError(r, /--tracking-uri: unsupported scheme `ftp:`/);
  });
});

describe('failures exit 1 with one line', () => {
  it('a missing database is not created by a read', async () => {
    const r = await run(['--tracking-uri', 'sqlite:///nothing-here.db', 'runs', 'ls']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /no tracking database at .*nothing-here\.db.*run your program first/);
    const again = await run(['--tracking-uri', 'sqlite:///nothing-here.db', 'runs', 'ls']);
    expect(again.code).toBe(1); // still absent: the first call created nothing
  });

  it('a missing trace and a missing run', async () => {
    const trace = await run(['traces', 'show', 'tr-00000000000000000000000000000000']);
    expect(trace.code).toBe(1);
    expectOneLineError(
      trace,
      /trace 'tr-0{32}' not found in sqlite:\/\/\/.*mlflow\.db; list traces with `graphtrace traces ls`/,
    );
    const runShow = await run(['runs', 'show', '0'.repeat(32)]);
    expect(runShow.code).toBe(1);
    expectOneLineError(runShow, /run '0{32}' not found/);
  });

  it('--debug adds the stack trace', async () => {
    const r = await run(['--debug', 'runs', 'show', '0'.repeat(32)]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^graphtrace: error: run '0{32}' not found/);
    expect(r.stderr).toMatch(/\n\s+at .*\.js:\d+:\d+/);
  });
});

describe('colour', () => {
  it('is off in pipes, on with FORCE_COLOR, and never with NO_COLOR or --no-color', async () => {
    const plain = await run(['traces', 'ls']);
    const forced = await run(['traces', 'ls'], { FORCE_COLOR: '1' });
    const noColor = await run(['traces', 'ls'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    const flag = await run(['--no-color', 'traces', 'ls'], { FORCE_COLOR: '1' });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(seeded.okTraceId);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(forced.stdout).toContain('\u001b[');
    expect(noColor.stdout).not.toContain('\u001b[');
    expect(flag.stdout).not.toContain('\u001b[');
    // Same text once the escapes are gone.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(forced.stdout.replace(/\u001b\[\d+m/g, '')).toBe(plain.stdout);
  });
});
