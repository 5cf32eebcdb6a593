import { describeTrackingStore } from '@graphtrace/core/testing';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { startSqliteServer, tempDir } from './helpers.js';

// One real MLflow server (SQLite backend) serves every spec of the conformance suite.
describeInteropVersions('mlflow server store conformance (SQLite backend)', ({ version }) => {
  const tmp = tempDir('conf-sqlite');
  let server: MlflowServer | undefined;
  beforeAll(async () => {
    server = await startSqliteServer(tmp.dir, undefined, version);
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
