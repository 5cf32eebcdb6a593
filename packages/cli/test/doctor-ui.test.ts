import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { seedSqlite } from './helpers/seed.js';

const root = tempDir();
afterAll(() => root.remove());

function caseDir(name: string): string {
  const dir = join(root.path, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('doctor', () => {
  let seededDir: string;
  beforeAll(async () => {
    seededDir = caseDir('seeded');
    await seedSqlite(seededDir);
  });

  it('reports the database schema revision, integrity, counts and versions', async () => {
    const r = await graphtrace(['doctor', '--json'], { cwd: seededDir });
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report.ok).toBe(true);
    const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
    expect(byId.tracking_uri.details).toMatchObject({
      uri: 'sqlite:///mlflow.db',
      source: 'default',
    });
    expect(byId.sqlite.status).toBe('ok');
    expect(byId.sqlite.details).toMatchObject({
      revision: 'd3e4f5a6b7c8',
      mlflow_release: '3.9',
      supported_mlflow: 'MLflow 3.9.0 to 3.17.2',
      integrity: 'ok',
      counts: { experiments: 2, runs: 1, traces: 2 },
    });
    expect(byId.spool).toMatchObject({ status: 'ok', details: { traces: 0 } });
    expect(report.versions.node).toBe(process.versions.node);
    expect(report.versions['better-sqlite3']).toMatch(/^12\./);
    expect(report.versions['@graphtrace/core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.versions['mlflow schemas']).toBe('MLflow 3.9.0 to 3.17.2 (up to dc11669786a5)');
    const human = await graphtrace(['doctor'], { cwd: seededDir });
    expect(human.stdout).toMatch(
      /^✓ database mlflow\.db: schema d3e4f5a6b7c8 \(MLflow 3\.9\), integrity ok, 2 experiments, 1 run, 2 traces$/m,
    );
  });

  it('reports a server store that cannot be opened (a missing CA file) and goes on checking', async () => {
    const dir = caseDir('missing-ca');
    const r = await graphtrace(['--tracking-uri', 'https://127.0.0.1:9', 'doctor', '--json'], {
      cwd: dir,
      env: { MLFLOW_TRACKING_SERVER_CERT_PATH: join(dir, 'no-such-ca.pem') },
    });
    const report = json(r);
    const server = report.checks.find((c: any) => c.id === 'server');
    expect(server.details.reachable).toBe(false);
    expect(server.details.reason).toMatch(/^the server store cannot be opened: .*no-such-ca\.pem/);
    expect(report.checks.map((c: any) => c.id)).toContain('spool');
  });

  it('explains the fallback when the server does not answer, and fails when there is none', async () => {
    const dir = caseDir('server-down');
    const port = await freePort(); // nothing listens there: the connection is refused at once
    const r = await graphtrace(['--tracking-uri', `http://127.0.0.1:${port}`, 'doctor', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const server = json(r).checks.find((c: any) => c.id === 'server');
    expect(server.status).toBe('warn');
    expect(server.details).toMatchObject({
      reachable: false,
      fallback_enabled: true,
      fallback_uri: 'sqlite:///mlflow.db',
    });
    expect(server.details.elapsed_ms).toBeLessThan(2000);
    expect(server.summary).toMatch(
      /unreachable .*programs fall back to sqlite:\/\/\/mlflow\.db .*graphtrace sync --from sqlite:\/\/\/mlflow\.db --to http:\/\/127\.0\.0\.1:\d+/,
    );
    const strict = await graphtrace(['--tracking-uri', `http://127.0.0.1:${port}`, 'doctor'], {
      cwd: dir,
      env: { GRAPHTRACE_FALLBACK_ENABLED: 'false' },
    });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(
      /^✗ http:\/\/127\.0\.0\.1:\d+ is unreachable .*fallback\.enabled is false/m,
    );
    expect(strict.stderr).toBe('graphtrace: error: 1 check failed\n');
  });

  it('fails on a SQLite file that is not an MLflow database, and never creates one', async () => {
    const dir = caseDir('foreign');
    const db = new Database(join(dir, 'mlflow.db'));
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    const r = await graphtrace(['doctor'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ database mlflow\.db is not an MLflow tracking database/m);
    const empty = caseDir('empty');
    const fresh = await graphtrace(['doctor', '--json'], { cwd: empty });
    expect(fresh.code).toBe(0);
    const sqlite = json(fresh).checks.find((c: any) => c.id === 'sqlite');
    expect(sqlite).toMatchObject({ status: 'info', details: { exists: false } });
    expect(sqlite.summary).toContain('created on first use');
  });

  it('counts the traces waiting in the spool', async () => {
    const dir = caseDir('spool');
    mkdirSync(join(dir, '.graphtrace'));
    const spool = sqliteStore({ path: join(dir, '.graphtrace', 'spool.db') });
    const exp = await spool.getOrCreateExperiment('agent');
    const t0 = 1_700_000_000_000n * 1_000_000n;
    for (const n of [1, 2, 3]) {
      const traceId = `tr-${String(n).padStart(32, '0')}`;
      await spool.logSpans(exp.experimentId, [
        {
          traceId,
          spanId: String(n).padStart(16, '0'),
          parentSpanId: null,
          name: 'root',
          spanType: 'AGENT',
          startTimeUnixNano: t0,
          endTimeUnixNano: t0 + 1_000_000n,
          status: { code: 'OK' },
          attributes: {},
          events: [],
        },
      ]);
    }
    await spool.close();
    const r = await graphtrace(['doctor'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^! spool \.graphtrace\/spool\.db holds 3 traces from a server outage: replay them with `graphtrace sync`$/m,
    );
  });

  it('a broken configuration is a configuration error (exit 2)', async () => {
    const dir = caseDir('bad-config');
    writeFileSync(
      join(dir, 'graphtrace.yaml'),
      'observability:\n  mlflow:\n    config_version: 2\n    sampling: 2\n',
    );
    const r = await graphtrace(['doctor'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^✗ configuration: graphtrace\.yaml:4:15: .*sampling must be at most 1/m,
    );
  });
});

// `graphtrace ui` is tested in ui.test.ts.
