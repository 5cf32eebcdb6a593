import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeTraceInfo, makeTraceTree, newTraceId } from '@graphtrace/core/testing';
import { describe, expect, it } from 'vitest';
import { SchemaError, sqliteAnalytics, sqliteStore, upgradeDatabase } from '../src/index.js';
import { rows, tempDir } from './helpers.js';

const dir = tempDir('sqlite-damaged');

async function seed(path: string): Promise<{ exp: string; traceId: string }> {
  const store = sqliteStore({ path });
  const exp = (await store.getOrCreateExperiment('kept')).experimentId;
  const traceId = newTraceId();
  await store.logSpans(exp, makeTraceTree(traceId));
  await store.startTrace(makeTraceInfo(exp, traceId));
  await store.close();
  return { exp, traceId };
}

function pageSize(path: string): number {
  return rows<{ page_size: number }>(path, 'PRAGMA page_size')[0]!.page_size;
}

/** Overwrites whole pages with bytes no b-tree page starts with. */
function overwritePages(path: string, pages: number[]): void {
  const page_size = pageSize(path);
  const fd = openSync(path, 'r+');
  try {
    for (const page of pages)
      writeSync(fd, Buffer.alloc(page_size, 0xff), 0, page_size, (page - 1) * page_size);
  } finally {
    closeSync(fd);
  }
}

describe('a damaged file is named, with what to do', () => {
  it('a file that is not an SQLite database: SQLITE_NOTADB, left byte for byte alone', async () => {
    const path = join(dir, 'noise.db');
    writeFileSync(path, randomBytes(8192));
    const before = readFileSync(path);
    for (const readOnly of [false, true]) {
      const store = sqliteStore({ path, readOnly });
      const err = await store.searchExperiments().catch((e: unknown) => e);
      await store.close();
      expect(err).toBeInstanceOf(SchemaError);
      expect(err).toMatchObject({
        code: 'SQLITE_NOTADB',
        message: expect.stringMatching(
          /is not an SQLite database \(SQLite: file is not a database\): .* move this file away so that a new one can be created in its place\.$/,
        ),
      });
      expect((err as Error).message.startsWith(`${path} is not an SQLite database`)).toBe(true);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    const upgrade = (await upgradeDatabase(path).catch((e: unknown) => e)) as SchemaError;
    expect(upgrade.code).toBe('SQLITE_NOTADB');
    expect(upgrade.message.startsWith(`${path} is not an SQLite database`)).toBe(true);
  });

  it('a truncated database: SQLITE_CORRUPT when it is opened', async () => {
    const path = join(dir, 'truncated.db');
    await seed(path);
    const page_size = pageSize(path);
    truncateSync(path, 3 * page_size);
    const store = sqliteStore({ path });
    const err = await store.getExperiment('0').catch((e: unknown) => e);
    await store.close();
    expect(err).toMatchObject({
      code: 'SQLITE_CORRUPT',
      message: `${path} is damaged (SQLite: database disk image is malformed), e.g. truncated by an interrupted copy or a full disk. graphtrace leaves it untouched: restore it from a backup, or salvage what is readable with \`sqlite3 ${path} .recover | sqlite3 recovered.db\` and point the tracking URI at the result.`,
    });
    expect(readFileSync(path).length).toBe(3 * page_size);
  });

  it('damage past the schema: the read that reaches it names the file, in the store and the SQL analytics', async () => {
    const path = join(dir, 'torn.db');
    const { exp, traceId } = await seed(path);
    // Every read of a table or index starts at its root page.
    const roots = rows<{ rootpage: number }>(
      path,
      "SELECT rootpage FROM sqlite_master WHERE tbl_name IN ('trace_info', 'spans') AND rootpage > 0",
    ).map((r) => r.rootpage);
    expect(roots.length).toBeGreaterThan(2);
    overwritePages(path, roots);

    const store = sqliteStore({ path, readOnly: true });
    try {
      // The schema and the experiments are intact: the store opens.
      expect((await store.getExperiment(exp))?.name).toBe('kept');
      const damaged = { code: 'SQLITE_CORRUPT', message: expect.stringMatching(/ is damaged /) };
      for (const read of [
        () => store.searchTraces({ experimentIds: [exp] }),
        () => store.getTrace(traceId),
      ]) {
        const err = (await read().catch((e: unknown) => e)) as Error;
        expect(err).toMatchObject(damaged);
        expect(err.message.startsWith(`${path} is damaged`)).toBe(true);
      }
      const analytics = sqliteAnalytics({ path });
      try {
        const err = (await analytics
          .countTraces({ experimentIds: [exp] })
          .catch((e: unknown) => e)) as Error;
        expect(err).toMatchObject(damaged);
        expect(err.message.startsWith(`${path} is damaged`)).toBe(true);
      } finally {
        await analytics.close();
      }
    } finally {
      await store.close();
    }
  });
});
