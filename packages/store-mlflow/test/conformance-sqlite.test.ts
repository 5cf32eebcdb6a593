import { describeTrackingStore } from '@graphtrace/core/testing';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { startSqliteServer, tempDir } from './helpers.js';

// One real MLflow 3.9.0 server (SQLite backend) serves every spec of the conformance suite.
describeInterop('mlflow server store conformance (SQLite backend)', () => {
  const tmp = tempDir('conf-sqlite');
  let server: MlflowServer | undefined;
  beforeAll(async () => {
    server = await startSqliteServer(tmp.dir);
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    tmp.remove();
  });

  describeTrackingStore({
    name: 'mlflow-server(sqlite)',
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
});
