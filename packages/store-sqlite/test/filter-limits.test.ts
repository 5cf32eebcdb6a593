import { join } from 'node:path';
import type { GraphtraceError } from '@graphtrace/core';
import { makeSpan, makeTraceInfo, newTraceId } from '@graphtrace/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

/*
 * The filter parser's size limits must keep every filter it accepts inside SQLite's own limits
 * (expression depth 1000, 32766 bound variables): at the limits the search runs, past them the
 * error is the parser's INVALID_FILTER, not SQLite's "Expression tree is too large".
 */

const dir = tempDir('sqlite-filter-limits');
let store: SqliteStore;
let exp: string;
let traceId: string;
let runId: string;

const values = (n: number, offset = 0) =>
  `(${Array.from({ length: n }, (_, i) => `'v${offset + i}'`).join(', ')})`;

beforeAll(async () => {
  store = sqliteStore({ path: join(dir, 'mlflow.db') });
  exp = (await store.getOrCreateExperiment('limits')).experimentId;
  traceId = newTraceId();
  await store.logSpans(exp, [makeSpan(traceId, { name: 'answer' })]);
  await store.startTrace(
    makeTraceInfo(exp, traceId, {
      tags: { env: 'prod', 'mlflow.traceName': 'answer' },
      traceMetadata: { user: 'ada', 'mlflow.sourceRun': 'r'.repeat(32) },
    }),
  );
  const run = await store.createRun({ experimentId: exp, runName: 'r' });
  runId = run.info.runId;
  await store.logBatch(runId, {
    params: [{ key: 'model', value: 'm' }],
    metrics: [{ key: 'acc', value: 0.9, timestamp: Date.now(), step: 0 }],
  });
});
afterAll(async () => {
  await store.close();
});

async function rejected(run: () => Promise<unknown>): Promise<GraphtraceError> {
  try {
    await run();
  } catch (e) {
    return e as GraphtraceError;
  }
  throw new Error('expected the search to be refused');
}

describe('trace filters at and past the parser limits', () => {
  // The clause kinds with the deepest SQL: run_id (two EXISTS), name, tags, metadata, columns.
  const kinds = [
    "tags.env = 'prod'",
    "metadata.user != 'bob'",
    "attributes.name LIKE 'ans%'",
    "attributes.status = 'OK'",
    `attributes.run_id != '${'0'.repeat(32)}'`,
  ];
  const clauses = (n: number) => Array.from({ length: n }, (_, i) => kinds[i % kinds.length]);

  it('runs a filter of 100 comparisons', async () => {
    const found = await store.searchTraces({
      experimentIds: [exp],
      filter: clauses(100).join(' AND '),
    });
    expect(found.items.map((t) => t.traceId)).toEqual([traceId]);
  });

  it('runs a filter holding 10,000 IN values in 1,000-value lists', async () => {
    const lists = Array.from({ length: 10 }, (_, i) => `tags.env NOT IN ${values(1000, i * 1000)}`);
    const found = await store.searchTraces({ experimentIds: [exp], filter: lists.join(' AND ') });
    expect(found.items.map((t) => t.traceId)).toEqual([traceId]);
  });

  it('refuses 1,000 comparisons and a 33,000-value IN list as INVALID_FILTER', async () => {
    const many = await rejected(() =>
      store.searchTraces({ experimentIds: [exp], filter: clauses(1000).join(' AND ') }),
    );
    expect(many.code).toBe('INVALID_FILTER');
    expect(many.message).toMatch(/this filter has 1000 comparisons; at most 100 are allowed/);
    const wide = await rejected(() =>
      store.searchTraces({ experimentIds: [exp], filter: `tags.env IN ${values(33_000)}` }),
    );
    expect(wide.code).toBe('INVALID_FILTER');
    expect(wide.message).toMatch(/the IN list of tag `env` has 33000 values; at most 1000/);
  });
});

describe('run filters at the parser limits', () => {
  it('runs 100 comparisons on metrics, params and tags, with 10,000 IN values', async () => {
    const kinds = ['metrics.acc > 0.5', "params.model = 'm'", "tags.`mlflow.runName` = 'r'"];
    const comparisons = Array.from({ length: 90 }, (_, i) => kinds[i % kinds.length]);
    const lists = Array.from(
      { length: 10 },
      (_, i) => `params.model NOT IN ${values(1000, i * 1000)}`,
    );
    const found = await store.searchRuns({
      experimentIds: [exp],
      filter: [...comparisons, ...lists].join(' AND '),
    });
    expect(found.items.map((r) => r.info.runId)).toEqual([runId]);
  });
});
