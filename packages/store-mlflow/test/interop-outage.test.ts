import { createServer as createTcpServer, type Socket } from 'node:net';
import { createTracker, memoryLogger, memoryStore, resilientStore } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { agentStep, startSqliteServer, tempDir } from './helpers.js';
import { outageScenario } from './scenarios.js';

describeInteropVersions(
  'resilience against a real MLflow server (SQLite backend)',
  ({ version }) => {
    const tmp = tempDir('outage');
    let server: MlflowServer;
    let port = 0;

    beforeAll(async () => {
      server = await startSqliteServer(tmp.dir, undefined, version);
      port = server.port;
    }, INTEROP_SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await server?.stop();
      tmp.remove();
    });

    it('loses nothing when the server stops mid-run: spool, restart, sync → exactly 200 traces, none twice', async () => {
      await outageScenario(
        () => server,
        async () => {
          server = await startSqliteServer(tmp.dir, port, version);
          return server;
        },
        'outage',
        version,
      );
    }, 240_000);
  },
);

describe('start-up fallback with the real server store (no MLflow needed)', () => {
  it('decides a refused port in < 100 ms and a hung server within the budget; traced code is not held up', async () => {
    const holeSockets = new Set<Socket>();
    const hole = createTcpServer((s) => {
      holeSockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const holePort = (hole.address() as { port: number }).port;
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const refused = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    try {
      for (const [uri, budget, lo, hi] of [
        [`http://127.0.0.1:${refused}`, 3000, 0, 100],
        [`http://127.0.0.1:${holePort}`, 600, 550, 2500],
      ] as const) {
        const fallback = memoryStore();
        const logger = memoryLogger();
        const store = resilientStore({
          primary: mlflowServerStore({ trackingUri: uri, env: false }),
          fallback: () => fallback,
          fallbackUri: 'sqlite:///mlflow.db',
          precheckTimeoutMs: budget,
          logger,
        });
        const tracker = createTracker({
          store,
          logger,
          handleExitSignals: false,
          experimentName: 'fb',
        });
        const t0 = performance.now();
        const answer = await agentStep(tracker, 1);
        const tracedMs = performance.now() - t0;
        expect(answer).toBe('2');
        expect(tracedMs).toBeLessThan(50);
        const f0 = performance.now();
        await tracker.flushTraces();
        const decidedMs = performance.now() - f0;
        expect(decidedMs).toBeGreaterThanOrEqual(lo);
        expect(decidedMs).toBeLessThan(hi);
        const exp = await fallback.getExperimentByName('fb');
        expect(
          (await fallback.searchTraces({ experimentIds: [exp!.experimentId] })).items,
        ).toHaveLength(1);
        const warns = logger.lines.filter((l) => l.level === 'warn');
        expect(warns).toHaveLength(1);
        expect(warns[0]!.message).toContain(uri);
        expect(warns[0]!.message).toContain('sqlite:///mlflow.db');
        await tracker.shutdown();
        await store.close();
      }
    } finally {
      for (const s of holeSockets) s.destroy();
      await new Promise<void>((r) => hole.close(() => r()));
    }
  }, 30_000);
});
