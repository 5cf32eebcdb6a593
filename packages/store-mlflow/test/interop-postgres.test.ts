import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeTrackingStore } from '@graphtrace/core/testing';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
  pyStr,
  runPythonJson,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { tempDir } from './helpers.js';
import { describePostgres, type PgCluster, startPostgres } from './postgres.js';
import { outageScenario, pythonCounts } from './scenarios.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));

// The scale-out path for real: MLflow 3.9.0 backed by PostgreSQL, graphtrace as its client.
describePostgres('mlflow server store with a PostgreSQL backend', (bin) => {
  describeInterop('MLflow 3.9.0 server on PostgreSQL', () => {
    const tmp = tempDir('pg-server');
    let pg: PgCluster | undefined;
    let server: MlflowServer | undefined;
    let port = 0;
    const start = (fixedPort?: number) =>
      startMlflowServer({
        backendStoreUri: pg!.uri,
        artifactsDestination: join(tmp.dir, 'artifacts'),
        ...(fixedPort ? { port: fixedPort } : {}),
      });

    beforeAll(async () => {
      pg = await startPostgres(bin());
      server = await start();
      port = server.port;
    }, INTEROP_SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await server?.stop();
      pg?.stop();
      tmp.remove();
    });

    describeTrackingStore({
      name: 'mlflow-server(postgresql)',
      capabilities: {
        persistent: true,
        deleteTraces: true,
        assessments: true,
        searchRunsFilter: true,
      },
      create: () => {
        if (!server) throw new Error('the MLflow server did not start');
        return mlflowServerStore({ trackingUri: server.url, env: false });
      },
      timeoutMs: 60_000,
    });

    it('takes two graphtrace processes writing at once, and MLflow reads every trace and run', async () => {
      const writer = join(here, 'fixtures', 'writer.mjs');
      if (!existsSync(join(here, '..', 'dist', 'index.js')))
        throw new Error(
          'build @graphtrace/store-mlflow first (pnpm run build): the writers use dist/',
        );
      const outs = await Promise.all(
        ['a', 'b'].map((label) =>
          run(process.execPath, [writer, server!.url, 'two-writers', '60', label], {
            timeout: 180_000,
          }),
        ),
      );
      for (const o of outs)
        expect(JSON.parse(o.stdout.trim().split('\n').pop()!)).toMatchObject({
          droppedTraces: 0,
          exportedTraces: 60,
        });
      const counts = await pythonCounts(server!.url, 'two-writers');
      expect(counts).toMatchObject({
        traces: 120,
        unique: 120,
        spanIdsUnique: true,
        states: ['OK'],
      });
      expect(counts.spans.every((n) => n === 4)).toBe(true);
      const runs = await runPythonJson<
        { name: string; status: string; steps: number; label: string }[]
      >(`
import json
from mlflow import MlflowClient
c = MlflowClient(tracking_uri=${pyStr(server!.url)})
e = c.get_experiment_by_name("two-writers")
out = []
for r in c.search_runs([e.experiment_id]):
    out.append({"name": r.info.run_name, "status": r.info.status, "label": r.data.params["label"],
                "steps": len(c.get_metric_history(r.info.run_id, "step"))})
print(json.dumps(sorted(out, key=lambda r: r["name"])))
`);
      expect(runs).toEqual([
        { name: 'writer-a', status: 'FINISHED', label: 'a', steps: 60 },
        { name: 'writer-b', status: 'FINISHED', label: 'b', steps: 60 },
      ]);
    }, 240_000);

    it('loses nothing when the server stops mid-run (PostgreSQL keeps the data across the restart)', async () => {
      await outageScenario(
        () => server!,
        async () => {
          server = await start(port);
          return server;
        },
        'outage-pg',
      );
    }, 240_000);
  });
});
