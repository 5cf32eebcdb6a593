import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTrackingStore } from '@graphtrace/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { sqliteStore } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sqlite-conformance-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
// Both ways of writing traces must behave the same: on the writer thread and on this one; and
// every layout of MLflow's schema: 3.9's tags and metadata, 3.10–3.16's span metrics, 3.17's
// analytics columns.
for (const [traceWriter, schemaVersion] of [
  ['worker', '3.9'],
  ['inline', '3.9'],
  ['worker', '3.13'],
  ['inline', '3.17'],
] as const) {
  describeTrackingStore({
    name: `sqlite (${traceWriter} trace writer, MLflow ${schemaVersion} schema)`,
    capabilities: {
      persistent: true,
      deleteTraces: true,
      assessments: true,
      searchRunsFilter: true,
      ...(traceWriter === 'worker' ? { pipelinedTraceWrites: true } : {}),
    },
    // A fresh file per spec: the suite also checks that a new file gets MLflow's schema.
    create: () =>
      sqliteStore({ path: join(dir, `conformance-${++n}.db`), traceWriter, schemaVersion }),
  });
}
