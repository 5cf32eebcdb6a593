import { join } from 'node:path';
import {
  describeInterop,
  INTEROP_TEST_TIMEOUT_MS,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { expect, it } from 'vitest';
import { runExample } from './helpers.js';

describeInterop('the main job against the real MLflow 3.9.0', () => {
  it(
    'writes a mlflow.db that `mlflow server` opens, with the agent trace and all its spans visible',
    async () => {
      const r = runExample('main');
      expect(r.status, r.out).toBe(0);
      const traceId = /trace (tr-[0-9a-f]{32})/.exec(r.stdout)?.[1];
      expect(traceId).toBeDefined();
      const server = await startMlflowServer({
        backendStoreUri: sqliteUri(join(r.cwd, 'mlflow.db')),
        artifactsDestination: join(r.cwd, 'artifacts'),
      });
      try {
        const res = await fetch(`${server.url}/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
        const body = (await res.json()) as {
          trace: { trace_info: { state: string }; spans: { name: string }[] };
        };
        expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
        expect(body.trace.trace_info.state).toBe('OK');
        const names = body.trace.spans.map((s) => s.name);
        expect(names).toContain('docs_agent');
        expect(names).toContain('search_docs');
        expect(names).toContain('calculator');
        expect(names.filter((n) => n === 'ScriptedChatModel')).toHaveLength(3);
        expect(r.stdout).toContain(`spans ${names.length}`);
      } finally {
        await server.stop();
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
