import { join } from 'node:path';
import {
  describeInteropVersions,
  INTEROP_TEST_TIMEOUT_MS,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { expect, it } from 'vitest';
import { runExample } from './helpers.js';

describeInteropVersions('the main job against the real MLflow', ({ version }) => {
  it(
    'writes a mlflow.db that `mlflow server` opens (newer releases upgrade it), with the agent trace and all its spans visible',
    async () => {
      const r = runExample('main');
      expect(r.status, r.out).toBe(0);
      const traceId = /trace (tr-[0-9a-f]{32})/.exec(r.stdout)?.[1];
      expect(traceId).toBeDefined();
      const server = await startMlflowServer({
        mlflowVersion: version,
        backendStoreUri: sqliteUri(join(r.cwd, 'mlflow.db')),
        artifactsDestination: join(r.cwd, 'artifacts'),
      });
      try {
        const res = await fetch(`${server.url}/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
        const body = (await res.json()) as {
          trace: {
            trace_info: {
              state: string;
              tags: Record<string, string>;
              trace_metadata: Record<string, string>;
            };
            spans: { name: string }[];
          };
        };
        expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
        expect(body.trace.trace_info.state).toBe('OK');
        const names = body.trace.spans.map((s) => s.name);
        expect(names).toContain('docs_agent');
        expect(names).toContain('search_docs');
        expect(names).toContain('calculator');
        expect(names.filter((n) => n === 'ScriptedChatModel')).toHaveLength(3);
        expect(r.stdout).toContain(`spans ${names.length}`);
        // The trace's name, session and tokens as MLflow shows them (3.17 from its columns).
        const info = body.trace.trace_info;
        expect(info.tags['mlflow.traceName']).toBe('docs_agent');
        expect(info.trace_metadata['mlflow.trace.session']).toBeTruthy();
        expect(
          JSON.parse(info.trace_metadata['mlflow.trace.tokenUsage']!).total_tokens,
        ).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
