import {
  Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { configSizeProblem } from './config-size.js';
import { findDuplicateKeys } from './duplicate-keys.js';
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
  const tooLarge = configSizeProblem(Buffer.byteLength(text, 'utf8'), file);
  if (tooLarge !== undefined) {
    return { source: { doc: new Document(null), file, lineCounter }, errors: [tooLarge] };
  }
  // `merge: true` lets old files keep `<<: *defaults`. `uniqueKeys: false` because the
  // library's duplicate check is quadratic; `findDuplicateKeys` applies the same rule linearly.
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
    uniqueKeys: false,
  });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const found = doc.errors.map((err) => ({ offset: err.pos[0], issue: syntaxIssue(err, at) }));
  for (const key of findDuplicateKeys(doc)) {
    const offset = key.range?.[0] ?? 0;
    found.push({
      offset,
      issue: makeIssue(
        'CONFIG_DUPLICATE_KEY',
        'this key appears twice in the same mapping; keep one',
        at(offset),
      ),
    });
  }
  // In file order, as the library reported them when it checked duplicates itself.
  found.sort((a, b) => a.offset - b.offset);
  return { source: { doc, file, lineCounter }, errors: found.map((f) => f.issue) };
}

function syntaxIssue(
  err: YAMLError,
  at: (offset: number) => { file: string | undefined; line: number; column: number },
): ConfigIssue {
  const loc = at(err.pos[0]);
  if (err.code === 'MULTIPLE_DOCS') {
    // The library's text tells API users to call parseAllDocuments(); say what a user can do.
    return makeIssue(
      'CONFIG_YAML_SYNTAX',
      'a second YAML document starts here; a graphtrace config must be a single YAML document: merge the documents into one mapping (remove the `---` or `...` separator) or keep only the one with `observability:`',
      loc,
    );
  }
  return makeIssue('CONFIG_YAML_SYNTAX', `YAML syntax error: ${firstSentence(err.message)}`, loc);
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
  pairOf: (map: YAMLMap, key: string) => Pair | undefined = findPair,
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
    const pair = pairOf(node, String(segments[i]));
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

/**
 * `locate` for many lookups in a document that no longer changes (validation reports one issue
 * per bad key): each mapping is indexed on first use, so 80k unknown keys cost 80k hash lookups,
 * not 80k scans of the mapping. Make a new one after editing the document.
 */
export function locator(
  source: SourceDocument,
): (
  segments: readonly (string | number)[],
  key?: boolean,
) => { file?: string | undefined; line?: number | undefined; column?: number | undefined } {
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items as Pair[]) {
        const name = keyName(pair);
        // The first of equal keys, as `findPair` finds it.
        if (name !== undefined && !index.has(name)) index.set(name, pair);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (segments, key = false) => {
    const pos = positionOf(source, findNode(source.doc, segments, key, pairOf));
    return { file: source.file, line: pos?.line, column: pos?.column };
  };
}
