import { join } from 'node:path';
import type { Span } from '@graphtrace/core';
import { makeTraceInfo, makeTraceTree, newTraceId } from '@graphtrace/core/testing';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('trace-writer-groups');

const contentOf = (path: string, spanId: string): string | undefined =>
  rows<{ content: string }>(path, 'SELECT content FROM spans WHERE span_id = ?', spanId)[0]
    ?.content;

describe('the trace writer thread writing queued calls together', () => {
  it('rolls back only the call that failed, and answers each call with its own outcome', async () => {
    const path = join(dir, 'groups.db');
    const store = sqliteStore({ path });
    const exp = (await store.getOrCreateExperiment('groups')).experimentId;
    const kept = newTraceId();
    const keptSpans = makeTraceTree(kept);
    await store.logSpans(exp, keptSpans);
    const before = contentOf(path, keptSpans[0]!.spanId);

    // One call that writes a stored trace's span, then fails on a new trace of a missing
    // experiment: its first write must be rolled back with it.
    const changed: Span = {
      ...keptSpans[0]!,
      attributes: { ...keptSpans[0]!.attributes, 'mlflow.spanOutputs': 'must not land' },
    };
    const a = newTraceId();
    const b = newTraceId();
    const calls = [
      store.logSpans(exp, makeTraceTree(a)),
      store.logSpans('987654', [changed, ...makeTraceTree(newTraceId())]),
      store.startTrace(makeTraceInfo(exp, a)),
      store.startTrace(makeTraceInfo('987654', b)),
      store.logSpans(exp, makeTraceTree(b)),
      store.startTrace(makeTraceInfo(exp, b)),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    for (const i of [1, 3])
      expect((settled[i] as PromiseRejectedResult).reason).toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/experiment 987654 does not exist/),
      });
    expect(contentOf(path, keptSpans[0]!.spanId)).toBe(before);
    expect((await store.getTrace(a))?.spans).toHaveLength(4);
    expect((await store.getTraceInfo(b))?.state).toBe('OK');
    expect((settled[2] as PromiseFulfilledResult<{ traceId: string }>).value.traceId).toBe(a);
    await store.close();
  });
});
