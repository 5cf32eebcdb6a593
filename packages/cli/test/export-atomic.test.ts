import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTracker, SpanType } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, tempDir } from './helpers/cli.js';
import { graphtraceWithFileSizeLimit } from './helpers/file-size-limit.js';

const dir = tempDir();
afterAll(() => dir.remove());
let traceId = '';
const LIMIT_KIB = 64;

beforeAll(async () => {
  // One trace whose export is well over LIMIT_KIB, so a limited write fails half-way.
  const store = sqliteStore({ path: join(dir.path, 'mlflow.db') });
  const tracker = createTracker({
    store,
    experimentName: 'big',
    handleExitSignals: false,
    logAgentMetrics: false,
  });
  await tracker.withSpan({ name: 'answer', spanType: SpanType.AGENT }, async (root) => {
    traceId = root.traceId;
    root.setInputs({ question: 'q'.repeat(90_000) });
    root.setOutputs('a'.repeat(90_000));
  });
  await tracker.flushTraces();
  await tracker.shutdown();
  await store.close();
});

const leftovers = () => readdirSync(dir.path).filter((f) => f.endsWith('.tmp'));

describe('traces export --out', () => {
  it('replaces an existing file as a whole', async () => {
    writeFileSync(join(dir.path, 'replaced.json'), 'x'.repeat(500_000));
    const r = await graphtrace(['traces', 'export', traceId, '--out', 'replaced.json'], {
      cwd: dir.path,
    });
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir.path, 'replaced.json'), 'utf8');
    expect(text.length).toBeGreaterThan(LIMIT_KIB * 1024);
    expect(JSON.parse(text).info.trace_id).toBe(traceId);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'leaves the previous file untouched and no temp file when the disk fills up half-way',
    async () => {
      const path = join(dir.path, 'existing.json');
      const previous = '{"previous": "export"}\n';
      writeFileSync(path, previous);
      const r = await graphtraceWithFileSizeLimit(
        LIMIT_KIB,
        ['traces', 'export', traceId, '--out', 'existing.json'],
        { cwd: dir.path },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^graphtrace: error: cannot write ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*file too large.*the previous content of the file, if any, is unchanged`,
        ),
      );
      expect(readFileSync(path, 'utf8')).toBe(previous);
      expect(leftovers()).toEqual([]);
    },
  );
});
