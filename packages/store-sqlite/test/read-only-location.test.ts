import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphtraceError } from '@graphtrace/core';
import { makeTraceInfo, makeTraceTree, newTraceId } from '@graphtrace/core/testing';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteAnalytics, sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const root = tempDir('sqlite-read-only');

// root may write anywhere, so a permission test needs an ordinary user (CI often runs as root).
const isRoot = process.getuid?.() === 0;

async function seed(path: string) {
  const store = sqliteStore({ path });
  const exp = (await store.getOrCreateExperiment('kept')).experimentId;
  const run = await store.createRun({ experimentId: exp, runName: 'r1' });
  await store.logBatch(run.info.runId, { params: [{ key: 'p', value: '1' }] });
  const traceId = newTraceId();
  await store.logSpans(exp, makeTraceTree(traceId));
  await store.startTrace(makeTraceInfo(exp, traceId));
  await store.close();
  return { exp, runId: run.info.runId, traceId };
}

/** Runs `fn` on a directory made read-only (mode 0555), made writable again afterwards. */
async function inReadOnlyDir(dir: string, fn: () => Promise<void>): Promise<void> {
  chmodSync(dir, 0o555);
  try {
    await fn();
  } finally {
    chmodSync(dir, 0o755);
  }
}

describe('a WAL database in a read-only directory', () => {
  it.skipIf(isRoot)(
    'is read as it is; writes are refused naming the file and the fix; nothing is created beside it',
    async () => {
      const dir = join(root, 'shared');
      mkdirSync(dir);
      const path = join(dir, 'mlflow.db');
      const { exp, runId, traceId } = await seed(path);
      // WAL mode (header bytes 18, 19), with no -wal or -shm left that SQLite could read through.
      expect([...readFileSync(path).subarray(18, 20)]).toEqual([2, 2]);
      expect(existsSync(`${path}-wal`) || existsSync(`${path}-shm`)).toBe(false);
      const before = readFileSync(path);

      await inReadOnlyDir(dir, async () => {
        for (const readOnly of [false, true]) {
          const store = sqliteStore({ path, readOnly });
          try {
            expect((await store.getExperiment(exp))?.name).toBe('kept');
            expect((await store.getRun(runId))?.data.params).toEqual({ p: '1' });
            const found = await store.searchTraces({ experimentIds: [exp] });
            expect(found.items.map((t) => t.traceId)).toEqual([traceId]);
            expect((await store.getTrace(traceId))?.spans.length).toBeGreaterThan(0);
          } finally {
            await store.close();
          }
        }

        const store = sqliteStore({ path });
        try {
          for (const write of [
            () => store.getOrCreateExperiment('new-one'),
            () => store.logBatch(runId, { params: [{ key: 'q', value: '2' }] }),
            () => store.logSpans(exp, makeTraceTree(newTraceId())),
          ]) {
            const err = (await write().catch((e: unknown) => e)) as GraphtraceError;
            expect(err).toMatchObject({
              code: 'READ_ONLY',
              message: `${path} is open read-only: this user may not write its directory ${dir}, where SQLite keeps the -wal, -shm and -journal files it writes through, so writes are refused (reads work). To record data, make the directory writable for this user, or copy the database to a writable directory and point the tracking URI at the copy.`,
            });
          }
        } finally {
          await store.close();
        }

        const analytics = sqliteAnalytics({ path });
        try {
          expect(await analytics.countTraces({ experimentIds: [exp] })).toEqual({
            count: 1,
            exact: true,
          });
        } finally {
          await analytics.close();
        }
      });
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(`${path}-wal`) || existsSync(`${path}-shm`)).toBe(false);
    },
  );

  it.skipIf(isRoot)(
    'is refused, saying what to do, when its -wal holds commits SQLite cannot read there',
    async () => {
      const source = join(root, 'source.db');
      await seed(source);
      const dir = join(root, 'with-log');
      mkdirSync(dir);
      const path = join(dir, 'mlflow.db');
      // A copy taken while a writer's commit is still only in the WAL, without its -shm.
      const writer = new Database(source);
      try {
        writer.pragma('wal_autocheckpoint = 0');
        writer
          .prepare("INSERT INTO experiment_tags (key, value, experiment_id) VALUES ('k', 'v', 0)")
          .run();
        copyFileSync(source, path);
        copyFileSync(`${source}-wal`, `${path}-wal`);
      } finally {
        writer.close();
      }

      await inReadOnlyDir(dir, async () => {
        const store = sqliteStore({ path });
        const err = (await store.getExperiment('0').catch((e: unknown) => e)) as GraphtraceError;
        await store.close();
        expect(err).toMatchObject({
          code: 'STORE_UNAVAILABLE',
          message: `cannot read ${path}: its write-ahead log ${path}-wal holds commits not yet copied into it, and SQLite cannot create the mlflow.db-shm index it needs to read them in the read-only directory ${dir}. Open the database once where its directory is writable (that folds the log in), or copy mlflow.db together with mlflow.db-wal to a writable directory and read the copy.`,
        });
      });
    },
  );
});
