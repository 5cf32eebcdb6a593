import { join } from 'node:path';
import type { GraphtraceError } from '@graphtrace/core';
import { makeSpan, makeTraceInfo, newTraceId } from '@graphtrace/core/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteStore, sqliteStore } from '../src/index.js';
import { likeToGlob } from '../src/store/compile-filter.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-search');
const path = join(dir, 'mlflow.db');
const T0 = 1_710_000_000_000;
let db: Database.Database;
let store: SqliteStore;
let exp: string;
/** Every SQL text prepared on the connection. */
const prepared: string[] = [];
const names = new Map<string, string>();

async function addTrace(
  name: string,
  at: number,
  tags: Record<string, string> = {},
  metadata: Record<string, string> = {},
) {
  const traceId = newTraceId();
  names.set(traceId, name);
  await store.logSpans(exp, [
    makeSpan(traceId, { name, startTimeUnixNano: BigInt(at) * 1_000_000n }),
  ]);
  await store.startTrace(
    makeTraceInfo(exp, traceId, {
      requestTime: at,
      tags: { ...tags, 'mlflow.traceName': name },
      traceMetadata: metadata,
    }),
  );
  return traceId;
}

beforeAll(async () => {
  db = new Database(path);
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    prepared.push(source);
    return prepare(source);
  }) as typeof db.prepare;
  store = sqliteStore({ path, database: db });
  exp = (await store.getOrCreateExperiment('search')).experimentId;
  await addTrace('Chat', T0, { env: 'prod', pattern: 'a*b?[c]' });
  await addTrace('chat', T0 + 1, { env: 'PROD' });
  await addTrace('chatbot', T0 + 2, { env: 'prod', owner: 'ada' });
  await addTrace('c_at', T0 + 3, { env: 'dev' }, { 'mlflow.sourceRun': 'r'.repeat(32) });
});
afterAll(async () => {
  await store.close();
  db.close();
});

const search = async (filter: string, orderBy?: string[]) =>
  (
    await store.searchTraces({ experimentIds: [exp], filter, ...(orderBy ? { orderBy } : {}) })
  ).items.map((t) => names.get(t.traceId));

describe('filters', () => {
  it('binds every filter value: an injection attempt is data and matches nothing', async () => {
    const marker = "zz' OR '1'='1";
    const before = prepared.length;
    expect(await search(`tags.env = "${marker}"`)).toEqual([]);
    expect(await search(`tags.\`env' OR 1=1 --\` = 'prod'`)).toEqual([]);
    expect(await search(`attributes.name IN ('x', "${marker}")`)).toEqual([]);
    const texts = prepared.slice(before);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t).not.toContain('zz');
      expect(t).not.toContain('OR 1=1');
    }
    // And the table is intact.
    expect(await search("tags.env = 'prod'")).toEqual(['chatbot', 'Chat']);
  });

  it('matches LIKE case-sensitively, ILIKE case-insensitively', async () => {
    expect(await search("attributes.name LIKE 'chat%'")).toEqual(['chatbot', 'chat']);
    expect(await search("attributes.name LIKE 'Chat'")).toEqual(['Chat']);
    expect(await search("attributes.name ILIKE 'CHAT%'")).toEqual(['chatbot', 'chat', 'Chat']);
    expect(await search("tags.env LIKE 'prod'")).toEqual(['chatbot', 'Chat']);
    expect(await search("tags.env ILIKE 'prod'")).toEqual(['chatbot', 'chat', 'Chat']);
    expect(await search("attributes.name LIKE 'c_at'")).toEqual(['c_at', 'chat']);
  });

  it('treats GLOB metacharacters in a LIKE pattern as literal text', async () => {
    expect(likeToGlob('a*b?[c]%_')).toBe('a[*]b[?][[]c]*?');
    expect(await search("tags.pattern LIKE 'a*b?[c]'")).toEqual(['Chat']);
    expect(await search("tags.pattern LIKE 'a*b?[c'")).toEqual([]);
    expect(await search("tags.pattern LIKE 'a_b%'")).toEqual(['Chat']);
    expect(await search("tags.pattern LIKE 'aXb%'")).toEqual([]);
  });

  it('finds traces of a run by metadata or by entity association', async () => {
    const linked = await addTrace('linked', T0 - 10);
    db.prepare("INSERT INTO entity_associations VALUES ('assoc-1', 'trace', ?, 'run', ?, 0)").run(
      linked,
      'r'.repeat(32),
    );
    expect(await search(`attributes.run_id = '${'r'.repeat(32)}'`)).toEqual(['c_at', 'linked']);
    expect(await search(`metadata.\`mlflow.sourceRun\` = '${'r'.repeat(32)}'`)).toEqual([
      'c_at',
      'linked',
    ]);
    expect(await search(`attributes.run_id LIKE 'rrr%'`)).toEqual(['c_at']);
    await store.deleteTraces({ experimentId: exp, traceIds: [linked] });
  });

  it('orders by a tag with missing values last in both directions', async () => {
    const chat = [...names].find(([, n]) => n === 'chat')![0];
    await store.setTraceTag(chat, 'owner', 'bob');
    expect(await search('', ['tags.owner ASC'])).toEqual(['chatbot', 'chat', 'c_at', 'Chat']);
    expect(await search('', ['tags.owner DESC'])).toEqual(['chat', 'chatbot', 'c_at', 'Chat']);
  });
});

describe('page tokens', () => {
  it('pages the default order by keyset: new traces do not shift later pages', async () => {
    const e = (await store.getOrCreateExperiment('keyset')).experimentId;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const traceId = newTraceId();
      ids.push(traceId);
      await store.startTrace(makeTraceInfo(e, traceId, { requestTime: T0 + (i % 5) * 1000 }));
    }
    const expected = [...ids]
      .map((id, i) => ({ id, t: T0 + (i % 5) * 1000 }))
      .sort((a, b) => b.t - a.t || (a.id < b.id ? -1 : 1))
      .map((x) => x.id);
    const seen: string[] = [];
    let pageToken: string | null = null;
    let page = 0;
    do {
      const res = await store.searchTraces({ experimentIds: [e], maxResults: 3, pageToken });
      seen.push(...res.items.map((t) => t.traceId));
      pageToken = res.nextPageToken;
      // Newer traces arrive between pages, and one with a timestamp equal to the current page.
      await store.startTrace(
        makeTraceInfo(e, newTraceId(), { requestTime: T0 + 100_000 + page++ }),
      );
    } while (pageToken);
    expect(seen).toEqual(expected);

    const asc = await store.searchTraces({
      experimentIds: [e],
      maxResults: 4,
      orderBy: ['timestamp_ms ASC'],
    });
    const asc2 = await store.searchTraces({
      experimentIds: [e],
      maxResults: 4,
      orderBy: ['timestamp_ms ASC'],
      pageToken: asc.nextPageToken,
    });
    const ascAll = (
      await store.searchTraces({ experimentIds: [e], maxResults: 8, orderBy: ['timestamp_ms ASC'] })
    ).items;
    expect([...asc.items, ...asc2.items].map((t) => t.traceId)).toEqual(
      ascAll.map((t) => t.traceId),
    );
  });

  it('rejects malformed or foreign tokens with INVALID_PAGE_TOKEN', async () => {
    const other = await store.searchTraces({
      experimentIds: [exp],
      maxResults: 1,
      filter: "tags.env = 'prod'",
    });
    for (const pageToken of [
      'not-a-token',
      'e30',
      other.nextPageToken!,
      Buffer.from('{"q":1}').toString('base64url'),
    ]) {
      const err = (await store
        .searchTraces({ experimentIds: [exp], maxResults: 1, pageToken })
        .catch((e: unknown) => e)) as GraphtraceError;
      expect(err.code, pageToken).toBe('INVALID_PAGE_TOKEN');
    }
  });
});
