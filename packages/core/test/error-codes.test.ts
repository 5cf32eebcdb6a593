import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  causeChain,
  FilterSyntaxError,
  GraphtraceError,
  type GraphtraceErrorCode,
} from '../src/index.js';
import { ERRORS_DOC, parseErrorCodes, renderErrorsDoc } from './errors-doc.js';

describe('the GraphtraceErrorCode list', () => {
  it('is closed: no open `string` member, so a misspelt code does not type-check', () => {
    expectTypeOf<string>().not.toExtend<GraphtraceErrorCode>();
    expectTypeOf<'NOT_A_GRAPHTRACE_CODE'>().not.toExtend<GraphtraceErrorCode>();
    expectTypeOf<GraphtraceError['code']>().toEqualTypeOf<GraphtraceErrorCode>();
  });

  it('declares each code once, each with its one-line description', () => {
    const entries = parseErrorCodes();
    const codes = entries.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    // The codes the issue found used but declared nowhere, one per package.
    for (const code of [
      'UNAUTHENTICATED',
      'PERMISSION_DENIED',
      'INTERNAL',
      'AUTOLOG_NO_TRACKER',
      'CONFIG_INVALID_URI',
      'SQLITE_SCHEMA_REVISION',
      'UNSUPPORTED_MEDIA_TYPE',
      'TOO_MANY_STREAMS',
      'CHECKS_FAILED',
    ] satisfies GraphtraceErrorCode[])
      expect(codes).toContain(code);
    for (const e of entries) expect(e.doc.length, e.code).toBeGreaterThan(20);
  });

  it('rejects a union that is open again or has an undocumented code', () => {
    const head = 'export type GraphtraceErrorCode =\n  // # S\n';
    expect(() => parseErrorCodes(`${head}  /** Doc. */\n  | 'A'\n  | (string & {});\n`)).toThrow(
      /open `string` member/,
    );
    expect(() => parseErrorCodes(`${head}  /** Doc. */\n  | 'A'\n  | 'B';\n`)).toThrow(
      /'B' has no/,
    );
  });

  it('ERRORS.md documents every code (regenerate: pnpm --filter @graphtrace/core run docs)', () => {
    const rendered = renderErrorsDoc(parseErrorCodes());
    if (process.env.GRAPHTRACE_WRITE_ERRORS_DOC === '1') writeFileSync(ERRORS_DOC, rendered);
    const committed = readFileSync(ERRORS_DOC, 'utf8');
    expect(committed).toBe(rendered);
    for (const { code } of parseErrorCodes()) expect(committed).toContain(`| \`${code}\` |`);
  });
});

describe('the error family', () => {
  it('FilterSyntaxError is a GraphtraceError with a code of the list', () => {
    const err = new FilterSyntaxError('x = ', 5, 'a value is missing');
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err.code).toBe('INVALID_FILTER');
  });
});

describe('causeChain', () => {
  it('lists an error and its causes, outermost first', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: root });
    const ours = new GraphtraceError('STORE_UNAVAILABLE', 'down', { cause: fetchFailed });
    expect(causeChain(ours)).toEqual([ours, fetchFailed, root]);
    expect(causeChain('text')).toEqual(['text']);
    expect(causeChain(undefined)).toEqual([]);
  });

  it('stops after 5 links, so a cycle of causes cannot hang it', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(causeChain(a)).toEqual([a, b, a, b, a]);
  });
});
