import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTracker, SpanType } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import pc from 'picocolors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedLines } from '../src/commands/transfer-report.js';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { graphtraceWithFileSizeLimit } from './helpers/file-size-limit.js';

const dir = tempDir();
afterAll(() => dir.remove());
const TRACES = 40;

/** A store at `path` holding `TRACES` traces of a few KiB each. */
async function seed(path: string): Promise<void> {
  const source = sqliteStore({ path });
  const tracker = createTracker({
    store: source,
    experimentName: 'agent',
    handleExitSignals: false,
    logAgentMetrics: false,
  });
  for (let i = 0; i < TRACES; i++) {
    await tracker.withSpan({ name: `call-${i}`, spanType: SpanType.AGENT }, async (root) => {
      root.setInputs({ question: `${i}`.padEnd(8_000, '.') });
    });
  }
  await tracker.flushTraces();
  await tracker.shutdown();
  await source.close();
}

/** An existing target (a real disk fills up under a database already in use). */
async function target(path: string): Promise<void> {
  const store = sqliteStore({ path });
  await store.getOrCreateExperiment('agent');
  await store.close();
}

beforeAll(async () => {
  await seed(join(dir.path, 'source.db'));
  await target(join(dir.path, 'full.db'));
  mkdirSync(join(dir.path, 'spool', '.graphtrace'), { recursive: true });
  await seed(join(dir.path, 'spool', '.graphtrace', 'spool.db'));
  await target(join(dir.path, 'spool', 'full.db'));
});

describe('sync into a full disk', () => {
  it.skipIf(process.platform === 'win32')(
    'says once how many traces failed with the same error, not once per trace',
    async () => {
      // Past 64 KiB every write fails, as on a full disk: the traces fail alike.
      const r = await graphtraceWithFileSizeLimit(
        64,
        ['sync', '--from', 'sqlite:///source.db', '--to', 'sqlite:///full.db'],
        { cwd: dir.path },
      );
      expect(r.code).toBe(1);
      const failures = r.stdout.split('\n').filter((l) => l.includes('✗'));
      expect(failures).toHaveLength(1);
      const m =
        /^ {2}✗ (\d+) traces could not be copied into sqlite:\/\/\/\S*\/full\.db: (.+) \((tr-[0-9a-f]{32}, ){2}tr-[0-9a-f]{32} and (\d+) more\)$/.exec(
          failures[0]!,
        );
      expect(m, failures[0]).not.toBeNull();
      const failed = Number(m![1]);
      expect(failed).toBeGreaterThan(3);
      expect(Number(m![4])).toBe(failed - 3);
      expect(r.stdout).toMatch(new RegExp(`^skipped\\s+${failed}$`, 'm'));
      const copied = Number(/^traces\s+(\d+) copied/m.exec(r.stdout)![1]);
      expect(copied + failed).toBe(TRACES);
      expect(r.stderr).toMatch(
        new RegExp(`^graphtrace: error: ${failed} items could not be copied`),
      );

      // --json still lists every failed trace.
      const again = await graphtraceWithFileSizeLimit(
        64,
        ['sync', '--from', 'sqlite:///source.db', '--to', 'sqlite:///full.db', '--json'],
        { cwd: dir.path },
      );
      expect(json(again).skipped.length).toBeGreaterThan(3);

      // With room again, the rest is copied.
      const room = await graphtrace(
        ['sync', '--from', 'sqlite:///source.db', '--to', 'sqlite:///full.db', '--json'],
        { cwd: dir.path },
      );
      expect(room.code).toBe(0);
      expect(json(room).traces.copied + json(room).traces.existing).toBe(TRACES);
    },
  );
});

describe('sync --from spool into a full disk', () => {
  it.skipIf(process.platform === 'win32')(
    'says once how many traces stay in the spool for the same error',
    async () => {
      const r = await graphtraceWithFileSizeLimit(64, ['sync', '--to', 'sqlite:///full.db'], {
        cwd: join(dir.path, 'spool'),
      });
      expect(r.code).toBe(1);
      const failures = r.stdout.split('\n').filter((l) => l.includes('✗'));
      expect(failures).toHaveLength(1);
      const m =
        /^ {2}✗ (\d+) traces could not be written to sqlite:\/\/\/full\.db: (.+) \((tr-[0-9a-f]{32}, ){2}tr-[0-9a-f]{32} and (\d+) more\)$/.exec(
          failures[0]!,
        );
      expect(m, failures[0]).not.toBeNull();
      const failed = Number(m![1]);
      expect(failed).toBeGreaterThan(3);
      expect(r.stdout).toMatch(new RegExp(`^failed\\s+${failed}$`, 'm'));
      expect(r.stderr).toMatch(
        new RegExp(`^graphtrace: error: ${failed} traces stay in the spool`),
      );
    },
  );
});

describe('skippedLines', () => {
  const c = pc.createColors(false);
  const trace = (id: string, reason: string, failed = true) => ({
    kind: 'trace' as const,
    id,
    reason,
    failed,
  });

  it('groups items of one kind with one reason, keeps distinct reasons and lone items apart', () => {
    const full = 'database or disk is full';
    const items = [
      ...Array.from({ length: 297 }, (_, i) => trace(`tr-${i}`, full)),
      trace('tr-x', 'trace tr-x has a span without a trace id'),
      { kind: 'run' as const, id: 'r-1', reason: full, failed: true },
      trace('tr-d1', 'deleted at the source', false),
      trace('tr-d2', 'deleted at the source', false),
    ];
    expect(skippedLines(items, c, 'written to sqlite:///b.db')).toEqual([
      '  ✗ 297 traces could not be written to sqlite:///b.db: database or disk is full (tr-0, tr-1, tr-2 and 294 more)',
      '  ✗ trace tr-x: trace tr-x has a span without a trace id',
      '  ✗ run r-1: database or disk is full',
      '  - 2 traces skipped: deleted at the source (tr-d1, tr-d2)',
    ]);
  });
});
