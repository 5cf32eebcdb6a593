import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, silentLogger } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_TEST_TIMEOUT_MS,
  pyStr,
  runPythonJson,
  sqliteUri,
} from '@graphtrace/mlflow-testkit';
import { afterAll, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';

// Span links as MLflow keeps them in the span JSON (3.13+ reads them; older releases open the
// same file and ignore the key).
describeInteropVersions('span links in a file graphtrace writes', ({ version }) => {
  let dir: string;

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'MLflow reads the link of a follow-up trace to the span it follows',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'interop-links-'));
      const path = join(dir, 'mlflow.db');
      const store = sqliteStore({ path });
      const tracker = createTracker({
        store,
        experimentName: 'links',
        logger: silentLogger,
        handleExitSignals: false,
      });
      const first = tracker.withSpan({ name: 'interrupted' }, (s) => [s.traceId, s.spanId]);
      const second = tracker.withSpan({ name: 'resumed' }, (s) => {
        s.addLink({ traceId: first[0]!, spanId: first[1]!, attributes: { kind: 'resume' } });
        return s.traceId;
      });
      await tracker.flushTraces();
      await store.close();

      const read = await runPythonJson<{ names: string[]; links: unknown }>(
        `
import json
from mlflow import MlflowClient
t = MlflowClient(tracking_uri=${pyStr(sqliteUri(path))}).get_trace(${pyStr(second)})
span = t.data.spans[0]
links = getattr(span, "links", None)
print(json.dumps({
  "names": [s.name for s in t.data.spans],
  "links": None if links is None else [l.to_dict() for l in links],
}))
`,
        { cwd: dir, mlflowVersion: version },
      );
      expect(read.names).toEqual(['resumed']);
      const [major, minor] = version.split('.').map(Number) as [number, number];
      expect(read.links).toEqual(
        major > 3 || minor >= 13
          ? [{ trace_id: first[0], span_id: first[1], attributes: { kind: 'resume' } }]
          : null,
      );
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
