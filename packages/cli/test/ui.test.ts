import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@graphtrace/mlflow-testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboard } from '../src/commands/ui.js';
import { BIN, cleanEnv, graphtrace, tempDir } from './helpers/cli.js';
import { type Seeded, seedSqlite } from './helpers/seed.js';

const root = tempDir('graphtrace-cli-ui-');
afterAll(() => root.remove());

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Waits (at most 5 s) until the child's stderr matches: stdout and stderr are separate pipes,
 * so the address line on stdout can arrive before an earlier line on stderr.
 */
async function stderrMatching(ui: Running, re: RegExp): Promise<string> {
  const until = Date.now() + 5_000;
  while (!re.test(ui.stderr()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return ui.stderr();
}

/** Starts `graphtrace …args` (a `ui` command) and waits for its address line, or its exit. */
async function startUi(args: string[], cwd: string): Promise<Running & { url: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv() });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /graphtrace dashboard at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`graphtrace ui exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

describe('graphtrace ui', () => {
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seedSqlite(root.path);
  });

  it('serves the dashboard over a SQLite store with SQL aggregates, and stops on Ctrl+C', async () => {
    const port = await freePort();
    const ui = await startUi(['ui', '--port', String(port)], root.path);
    try {
      expect(ui.url).toBe(`http://127.0.0.1:${port}`);
      expect(ui.stdout()).toBe(
        `graphtrace dashboard at http://127.0.0.1:${port} (store sqlite:///${seeded.dbPath}); Ctrl+C to stop\n`,
      );
      const sqlLine = /^aggregates: SQL aggregates \(GROUP BY .*\) on sqlite:\/\/\//m;
      expect(await stderrMatching(ui, sqlLine)).toMatch(sqlLine);
      const health = (await (await fetch(`${ui.url}/api/health`)).json()) as any;
      expect(health).toMatchObject({
        store: { uri: `sqlite:///${seeded.dbPath}` },
        analytics: { kind: 'sql' },
      });
      const traces = (await (await fetch(`${ui.url}/api/traces`)).json()) as any;
      expect(traces.traces.map((t: any) => t.traceId).sort()).toEqual(
        [seeded.okTraceId, seeded.errorTraceId].sort(),
      );
      const page = await fetch(`${ui.url}/`);
      expect(await page.text()).toContain('<div id="app"></div>');
    } finally {
      ui.child.kill('SIGINT');
    }
    expect(await ui.exited).toBe(0);
    await expect(fetch(`${ui.url}/api/health`)).rejects.toThrow();
  });

  it('opens the store --tracking-uri names, and pages through a store without SQL', async () => {
    const ui = await startUi(
      ['--tracking-uri', 'memory:', 'ui', '--port', String(await freePort())],
      root.path,
    );
    try {
      expect(ui.stdout()).toMatch(/\(store memory:\); Ctrl\+C to stop\n$/);
      const scanLine = /^aggregates: scan of memory: through searchTraces/m;
      expect(await stderrMatching(ui, scanLine)).toMatch(scanLine);
      const health = (await (await fetch(`${ui.url}/api/health`)).json()) as any;
      expect(health.analytics.kind).toBe('scan');
    } finally {
      ui.child.kill('SIGTERM');
    }
    expect(await ui.exited).toBe(0);
  });

  it('warns when --host exposes it beyond this machine', async () => {
    const port = await freePort();
    const ui = await startUi(['ui', '--host', '0.0.0.0', '--port', String(port)], root.path);
    try {
      expect(ui.stderr()).toMatch(
        /graphtrace: warning: the dashboard listens on 0\.0\.0\.0, not a loopback address: anyone who can reach this machine on port \d+ can read your traces/,
      );
      // The Host check is off: the warning says what that opens and what to do instead.
      expect(ui.stderr()).toContain(
        `It also answers requests for any host name, which opens it to DNS rebinding: a web page open in your browser can reach it through a host name that page controls. To use it from another machine, keep it on 127.0.0.1 and forward the port over SSH (ssh -L ${port}:127.0.0.1:${port} <this machine>), or put it behind a proxy that authenticates users.\n`,
      );
      expect((await fetch(`${ui.url}/api/health`)).status).toBe(200);
    } finally {
      ui.child.kill('SIGTERM');
    }
    expect(await ui.exited).toBe(0);
  });

  it('refuses to start over a damaged or foreign database, naming it (exit 1)', async () => {
    const noise = join(root.path, 'noise.db');
    writeFileSync(noise, randomBytes(8192));
    const foreign = join(root.path, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE inventory (sku TEXT)');
    db.close();
    for (const [path, error] of [
      [
        noise,
        'is not an SQLite database (SQLite: file is not a database): it is another kind of file',
      ],
      [
        foreign,
        'is not an MLflow tracking database (it has tables [inventory] but no alembic_version)',
      ],
    ] as const) {
      const r = await graphtrace(
        ['--tracking-uri', `sqlite:///${path}`, 'ui', '--port', String(await freePort())],
        { cwd: root.path, timeoutMs: 20_000 },
      );
      expect({ path, code: r.code, stdout: r.stdout }).toEqual({ path, code: 1, stdout: '' });
      expect(r.stderr.startsWith(`graphtrace: error: ${path} ${error}`)).toBe(true);
    }
  });

  it('says so when the port is taken (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await graphtrace(['ui', '--port', String(port)], { cwd: root.path });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `graphtrace: error: port ${port} on 127.0.0.1 is already in use: choose another one (--port)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('checks its options first (exit 2)', async () => {
    const r = await graphtrace(['ui', '--port', 'http'], { cwd: root.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option '--port <port>' argument 'http' is invalid/);
  });

  it('says when the dashboard package is missing', async () => {
    await expect(loadDashboard('@graphtrace/no-such-dashboard')).rejects.toMatchObject({
      code: 'DASHBOARD_NOT_INSTALLED',
      message: expect.stringMatching(
        /^the dashboard package is not installed: install @graphtrace\/no-such-dashboard next to @graphtrace\/cli/,
      ),
    });
    const real = await loadDashboard();
    expect(typeof real.startDashboard).toBe('function');
  });
});
