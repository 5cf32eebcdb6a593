import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import { type ConfigIssue, makeIssue } from './errors.js';

/** A parsed document plus what is needed to turn node offsets into `line:col`. */
export interface SourceDocument {
  doc: Document;
  /** The file name used in messages; undefined for objects passed in code. */
  file: string | undefined;
  lineCounter: LineCounter | undefined;
}

export interface Position {
  line: number;
  column: number;
}

/** Parses YAML text; syntax problems become `CONFIG_YAML_SYNTAX` issues with line:col. */
export function parseYaml(
  text: string,
  file: string | undefined,
): { source: SourceDocument; errors: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  // `merge: true` lets old files keep `<<: *defaults`; duplicate keys are errors by default.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const errors = doc.errors.map((err) => {
    const pos = lineCounter.linePos(err.pos[0]);
    const duplicate = err.code === 'DUPLICATE_KEY';
    const text = duplicate
      ? 'this key appears twice in the same mapping; keep one'
      : `YAML syntax error: ${firstSentence(err.message)}`;
    return makeIssue(duplicate ? 'CONFIG_DUPLICATE_KEY' : 'CONFIG_YAML_SYNTAX', text, {
      file,
      line: pos.line,
      column: pos.col,
    });
  });
  return { source: { doc, file, lineCounter }, errors };
}

function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

export function positionOf(source: SourceDocument, node: unknown): Position | undefined {
  if (source.lineCounter === undefined || node === null || typeof node !== 'object')
    return undefined;
  const range = (node as Node).range;
  if (!range) return undefined;
  const pos = source.lineCounter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

export function keyName(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return key.value === null ? undefined : String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => keyName(p) === key);
}

/** The node at `segments` (its key node when `key` is true), or the deepest existing parent. */
export function findNode(
  doc: Document,
  segments: readonly (string | number)[],
  key = false,
): unknown {
  let node: unknown = doc.contents;
  for (let i = 0; i < segments.length; i++) {
    if (isSeq(node)) {
      const item = node.items[Number(segments[i])];
      if (item === undefined) return node;
      node = item;
      continue;
    }
    if (!isMap(node)) return node;
    const pair = findPair(node, String(segments[i]));
    if (pair === undefined) return node;
    if (key && i === segments.length - 1) return pair.key;
    node = pair.value;
  }
  return node;
}

/** Location fields for an issue about `segments` in the document. */
export function locate(
  source: SourceDocument | undefined,
  segments: readonly (string | number)[],
  key = false,
): { file?: string | undefined; line?: number | undefined; column?: number | undefined } {
  if (source === undefined) return {};
  const pos = positionOf(source, findNode(source.doc, segments, key));
  return { file: source.file, line: pos?.line, column: pos?.column };
}
