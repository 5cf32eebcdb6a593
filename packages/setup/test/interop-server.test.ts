import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '@graphtrace/core';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { mlflowServerStore } from '@graphtrace/store-mlflow';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SPOOL_PATH, setup } from '../src/index.js';

async function countIn(path: string, experiment: string): Promise<number> {
  const store = sqliteStore({ path });
  try {
    const exp = await store.getExperimentByName(experiment);
    return exp ? (await store.searchTraces({ experimentIds: [exp.experimentId] })).items.length : 0;
  } finally {
    await store.close();
  }
}

describeInterop('setup() against a real MLflow server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-setup-server-'));
  let server: MlflowServer;
  beforeAll(async () => {
    server = await startMlflowServer({
      backendStoreUri: sqliteUri(join(dir, 'server.db')),
      artifactsDestination: join(dir, 'artifacts'),
    });
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reachable: traces land on the server, nothing on disk', async () => {
    const cwd = mkdtempSync(join(dir, 'up-'));
    const logger = memoryLogger();
    const s = await setup({
      cwd,
      env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: 'setup-up' },
      logger,
    });
    s.tracker.withSpan({ name: 'to-server' }, () => 1);
    await s.close();
    const remote = mlflowServerStore({ trackingUri: server.url, env: false });
    const exp = await remote.getExperimentByName('setup-up');
    const { items: traces } = await remote.searchTraces({ experimentIds: [exp!.experimentId] });
    expect(traces.map((t) => t.tags['mlflow.traceName'])).toEqual(['to-server']);
    await remote.close();
    expect(existsSync(join(cwd, 'mlflow.db'))).toBe(false);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('silent: the pre-check gives up within its budget and the fallback file holds the traces', async () => {
    const held = new Set<Socket>();
    const silent = createServer((s) => {
      held.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const cwd = mkdtempSync(join(dir, 'silent-'));
    try {
      const logger = memoryLogger();
      const s = await setup({
        cwd,
        env: {
          MLFLOW_TRACKING_URI: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
        },
        config: { experiment_name: 'setup-silent', fallback: { precheck_timeout: 0.5 } },
        logger,
      });
      const t0 = performance.now();
      s.tracker.withSpan({ name: 'offline' }, () => 1);
      await s.close();
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(await countIn(join(cwd, 'mlflow.db'), 'setup-silent')).toBe(1);
      expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      // The fallback serves the whole process: the spool is never used, and no file is made.
      expect(existsSync(join(cwd, SPOOL_PATH))).toBe(false);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
