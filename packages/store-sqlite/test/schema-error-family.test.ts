import { join } from 'node:path';
import { GraphtraceError } from '@graphtrace/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SchemaError, sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir('sqlite-error-family');

describe('SchemaError belongs to the GraphtraceError family', () => {
  it('the store rejects a foreign SQLite file with a SchemaError that is a GraphtraceError', async () => {
    const path = join(dir, 'foreign.db');
    const f = new Database(path);
    f.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    f.close();
    const store = sqliteStore({ path });
    const err = await store.searchExperiments().catch((e: unknown) => e);
    await store.close();
    // The TrackingStore port promises GraphtraceError rejections.
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err).toBeInstanceOf(SchemaError);
    expect(err).toMatchObject({ name: 'SchemaError', code: 'SQLITE_NOT_MLFLOW' });
    expect(typeof (err as SchemaError).expectedRevision).toBe('string');
  });

  it('keeps its revision fields and cause', () => {
    const cause = new Error('low level');
    const err = new SchemaError('SQLITE_SCHEMA_REVISION', 'too new', {
      revision: 'abc',
      expectedRevision: 'def',
      cause,
    });
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err).toMatchObject({
      code: 'SQLITE_SCHEMA_REVISION',
      revision: 'abc',
      expectedRevision: 'def',
    });
    expect(err.cause).toBe(cause);
  });
});
