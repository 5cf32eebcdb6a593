import { type Document, isMap, isPair, isSeq, type ToStringOptions } from 'yaml';
import type { ConfigIssue } from './errors.js';
import { migrateDocument } from './legacy.js';
import { load } from './load-config.js';
import { parseYaml } from './yaml-document.js';

export interface MigrateTextOptions {
  /** Name used in messages. */
  filename?: string;
}

export interface MigrateTextResult {
  /** False when the input is invalid: then `after` equals `before`. */
  ok: boolean;
  /** `after` differs from `before`. */
  changed: boolean;
  before: string;
  after: string;
  /** One per legacy construct rewritten. */
  warnings: ConfigIssue[];
  errors: ConfigIssue[];
  /** What else to do, e.g. the command importing an old FileStore. */
  notes: string[];
}

/**
 * Rewrites the text of a config file into the current format (config_version 2), keeping
 * comments, key order and unrelated sections. Pure: no file system, no environment.
 */
export function migrateConfigText(
  text: string,
  options: MigrateTextOptions = {},
): MigrateTextResult {
  const file = options.filename ?? '<text>';
  const unchanged = (
    errors: ConfigIssue[],
    warnings: ConfigIssue[] = [],
    notes: string[] = [],
  ) => ({
    ok: errors.length === 0,
    changed: false,
    before: text,
    after: text,
    warnings,
    errors,
    notes,
  });
  const { source, errors: syntax } = parseYaml(text, file);
  if (syntax.length > 0) return unchanged(syntax);

  const migration = migrateDocument(source, { mode: 'rewrite' });
  if (migration.errors.length > 0) return unchanged(migration.errors, migration.warnings);

  // Validate what would be written, with the positions of the original text.
  const check = load({ kind: 'file', source, errors: [] }, { env: {}, checkFilesystem: false });
  if (check.errors.length > 0) return unchanged(check.errors, migration.warnings);

  const notes = [...migration.notes];
  if (!hasSection(check.sources)) {
    notes.push('no observability.mlflow (or top-level mlflow) section found; nothing to migrate');
  }
  if (!migration.changed) return unchanged([], [], notes);
  if (migration.warnings.length === 0) notes.push('added the format marker config_version: 2');

  hoistTrailingComment(source.doc);
  let after = source.doc.toString(formatOf(text));
  if (text.includes('\r\n')) after = after.replace(/\r?\n/g, '\r\n');
  return {
    ok: true,
    changed: after !== text,
    before: text,
    after,
    warnings: migration.warnings,
    errors: [],
    notes,
  };
}

function hasSection(sources: Record<string, { kind: string }>): boolean {
  return Object.values(sources).some((s) => s.kind === 'file');
}

/** Keeps the file's indentation habits: width, and whether `- item` is indented under its key. */
function formatOf(text: string): ToStringOptions {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let i = 1; i < lines.length; i++) {
    const prev = lines[i - 1]!;
    const line = lines[i]!;
    if (!/:\s*(#.*)?$/.test(prev)) continue;
    const prevIndent = prev.length - prev.trimStart().length;
    const lineIndent = line.length - line.trimStart().length;
    if (line.trimStart().startsWith('- ') || line.trim() === '-') {
      indentSeq ??= lineIndent > prevIndent;
    } else if (lineIndent > prevIndent) {
      indent ??= lineIndent - prevIndent;
    }
  }
  // `{a: 1}` stays unpadded when the file never pads its flow collections.
  const padded = /[{[] \S/.test(text) || !/[{[][^\s\]}]/.test(text);
  return {
    indent: indent ?? 2,
    indentSeq: indentSeq ?? true,
    flowCollectionPadding: padded,
    lineWidth: 0,
    minContentWidth: 0,
  };
}

/**
 * The parser gives a comment after a blank line at the end of the file to the last nested
 * collection, so printing would indent it under that section; it belongs to the document.
 */
function hoistTrailingComment(doc: Document): void {
  let node: unknown = doc.contents;
  while (isMap(node) || isSeq(node)) {
    const comment = node.comment;
    const gap = comment ? comment.indexOf('\n\n') : -1;
    if (comment && gap >= 0) {
      node.comment = comment.slice(0, gap) || null;
      const tail = comment.slice(gap + 2);
      doc.comment = doc.comment ? `${tail}\n${doc.comment}` : tail;
      return;
    }
    const last: unknown = node.items[node.items.length - 1];
    node = isPair(last) ? last.value : last;
  }
}
