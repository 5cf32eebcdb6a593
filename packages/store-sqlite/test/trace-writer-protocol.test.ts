import { GraphtraceError } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../src/schema/errors.js';
import { fromWireError, toWireError } from '../src/store/trace-writer-protocol.js';
import { writeFailure } from '../src/store/write-failure.js';

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

  it("keep SQLite's own errors theirs; a trace write's failure then gets one of graphtrace's codes", () => {
    const sqlite = Object.assign(new Error('database or disk is full'), {
      name: 'SqliteError',
      code: 'SQLITE_FULL',
    });
    const back = roundTrip(sqlite);
    expect(back).not.toBeInstanceOf(GraphtraceError);
    expect(back).toMatchObject({ name: 'SqliteError', code: 'SQLITE_FULL' });
    expect(writeFailure(back)).toMatchObject({
      code: 'SQLITE_WRITE_FAILED',
      message: 'database or disk is full',
      cause: { name: 'SqliteError', code: 'SQLITE_FULL' },
    });
    expect(writeFailure(new GraphtraceError('READ_ONLY', 'x'))).toMatchObject({
      code: 'READ_ONLY',
    });
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(writeFailure(enospc)).toBe(enospc);
  });

  it('come back as built-in errors, or plain ones named as they were', () => {
    expect(roundTrip(new TypeError('bad'))).toBeInstanceOf(TypeError);
    expect(roundTrip('thrown text')).toMatchObject({ name: 'Error', message: 'thrown text' });
  });
});
