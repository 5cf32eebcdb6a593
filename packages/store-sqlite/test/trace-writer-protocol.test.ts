import { GraphtraceError } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../src/schema/errors.js';
import { fromWireError, toWireError } from '../src/store/trace-writer-protocol.js';

const roundTrip = (err: unknown) => fromWireError(structuredClone(toWireError(err)));

describe("the writer thread's errors, back on the calling thread", () => {
  it('keep a GraphtraceError its code, name and message', () => {
    const back = roundTrip(
      new SchemaError('SQLITE_CORRUPT', 'x.db is damaged', { expectedRevision: 'abc' }),
    );
    expect(back).toBeInstanceOf(GraphtraceError);
    expect(back).toMatchObject({ code: 'SQLITE_CORRUPT', name: 'SchemaError' });
    expect(back.message).toBe('x.db is damaged');
  });

  it("turn SQLite's own failures into one of graphtrace's codes, SQLite's kept as the cause", () => {
    const sqlite = Object.assign(new Error('database or disk is full'), {
      name: 'SqliteError',
      code: 'SQLITE_FULL',
    });
    const back = roundTrip(sqlite);
    expect(back).toBeInstanceOf(GraphtraceError);
    expect(back).toMatchObject({
      code: 'SQLITE_WRITE_FAILED',
      message: 'database or disk is full',
      cause: { name: 'SqliteError', code: 'SQLITE_FULL' },
    });
  });

  it('come back as built-in errors, or plain ones named as they were', () => {
    expect(roundTrip(new TypeError('bad'))).toBeInstanceOf(TypeError);
    expect(roundTrip('thrown text')).toMatchObject({ name: 'Error', message: 'thrown text' });
  });
});
