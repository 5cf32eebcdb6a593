import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the closed list of codes is declared, and the document generated from it. */
export const CODES_FILE = resolve(import.meta.dirname, '../src/error-codes.ts');
export const ERRORS_DOC = resolve(import.meta.dirname, '../../../ERRORS.md');

export interface ErrorCodeEntry {
  code: string;
  section: string;
  doc: string;
}

/**
 * Reads the `GraphtraceErrorCode` union from its source. Strict on purpose: a line that is not
 * a `// #` section, a one-line doc comment or a code, or a code without its comment, throws,
 * so the document cannot silently miss a code.
 */
export function parseErrorCodes(
  source: string = readFileSync(CODES_FILE, 'utf8'),
): ErrorCodeEntry[] {
  const start = source.indexOf('export type GraphtraceErrorCode =');
  if (start < 0) throw new Error(`${CODES_FILE}: no \`export type GraphtraceErrorCode =\``);
  const body = source.slice(start).split('\n').slice(1);
  const entries: ErrorCodeEntry[] = [];
  let section = '';
  let doc: string | null = null;
  for (const [i, raw] of body.entries()) {
    const line = raw.trim();
    const where = `${CODES_FILE}, line ${i + 1} of the union`;
    const sectionMatch = /^\/\/ # (.+)$/.exec(line);
    const docMatch = /^\/\*\* (.+) \*\/$/.exec(line);
    const codeMatch = /^\| '([A-Z][A-Z0-9_]*)'(;?)$/.exec(line);
    if (sectionMatch) section = sectionMatch[1]!;
    else if (docMatch) doc = docMatch[1]!;
    else if (codeMatch) {
      if (doc === null)
        throw new Error(`${where}: '${codeMatch[1]}' has no /** … */ line above it`);
      if (section === '') throw new Error(`${where}: '${codeMatch[1]}' is before any // # section`);
      entries.push({ code: codeMatch[1]!, section, doc });
      doc = null;
      if (codeMatch[2] === ';') return entries;
    } else {
      throw new Error(
        `${where}: "${line}" is not a // # section, a one-line /** doc */ or | 'CODE' (an open \`string\` member is not allowed)`,
      );
    }
  }
  throw new Error(`${CODES_FILE}: the GraphtraceErrorCode union does not end with ';'`);
}

/** ERRORS.md: one table per section, a row per code. */
export function renderErrorsDoc(entries: readonly ErrorCodeEntry[]): string {
  const out = [
    '# Errors',
    '',
    '<!-- Generated from packages/core/src/error-codes.ts; a test fails when they disagree.',
    '     Regenerate: pnpm --filter @graphtrace/core run docs -->',
    '',
    'Every error graphtrace throws or rejects with is a `GraphtraceError` from `@graphtrace/core`,',
    'or one of its subclasses (`FilterSyntaxError`, `SchemaError`, `ConfigError`, `MlflowServerError`,',
    '`DashboardError`, `CliError`), and its `code` is one of the codes below: a closed list, so',
    '`switch (err.code)` can be exhaustive. Errors of Node or of a library that graphtrace passes on',
    'unchanged are not `GraphtraceError`s; the `graphtrace` command reports them as `INTERNAL`.',
    '',
  ];
  let section = '';
  for (const e of entries) {
    if (e.section !== section) {
      section = e.section;
      out.push(`## ${section}`, '', '| code | when it happens, and what to do |', '|---|---|');
    }
    out.push(`| \`${e.code}\` | ${e.doc.replaceAll('|', '\\|')} |`);
    const next = entries[entries.indexOf(e) + 1];
    if (next === undefined || next.section !== section) out.push('');
  }
  return out.join('\n');
}
