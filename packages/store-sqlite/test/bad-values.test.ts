import { join } from 'node:path';
import { createTracker, memoryLogger } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('bad-values');

describe('one bad value loses nothing in a SQLite file', () => {
  for (const traceWriter of ['worker', 'inline'] as const) {
    it(`keeps 300 good traces beside odd names, types and times (${traceWriter} writer)`, async () => {
      const path = join(dir, `bad-${traceWriter}.db`);
      const store = sqliteStore({ path, traceWriter });
      const logger = memoryLogger();
      const tracker = createTracker({
        store,
        experimentName: 'bad',
        logger,
        handleExitSignals: false,
      });
      for (let i = 0; i < 300; i++) {
        tracker.withSpan({ name: `good-${i}` }, () => i);
        if (i === 100) tracker.withSpan({ name: true as never }, () => 1);
        if (i === 150) {
          const s = tracker.startSpan({ name: 'late' });
          s.end({ endTimeNs: 'abc' as never });
        }
        if (i === 200)
          tracker.withSpan({ name: { o: 1 } as never, spanType: ['x'] as never }, () => 1);
      }
      await tracker.flushTraces();
      await tracker.shutdown();
      await store.close();
      const names = rows<{ name: string }>(path, 'SELECT name FROM spans').map((r) => r.name);
      expect(names.filter((n) => n.startsWith('good-'))).toHaveLength(300);
      expect(names).toEqual(expect.arrayContaining(['true', 'late', '[object Object]']));
      expect(rows(path, "SELECT count(*) AS n FROM trace_info WHERE status = 'OK'")).toEqual([
        { n: 303 },
      ]);
      expect(tracker.stats()).toMatchObject({ droppedSpans: 0, droppedTraces: 0 });
    });
  }
});
