import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';
import { supportedSchemaVersions } from '../src/schema/index.js';
import {
  infoFirst,
  NOW,
  oddsInfo,
  oddsTrace,
  REACT,
  reactInfo,
  reactTrace,
} from './fixtures/golden-traces.js';
import { tempDir } from './helpers.js';

/**
 * Every row the trace write path writes, pinned: MLflow reads these files, so the write path
 * may get faster but never write a different byte. The expectation was generated from the
 * write path before its speed-up (GOLDEN_UPDATE=1 rewrites it; only do that for a deliberate
 * change of the written rows).
 */
const GOLDEN = new URL('./fixtures/write-path-golden.json', import.meta.url);
const dir = tempDir('write-path-golden');

type Golden = Record<string, Record<string, string[]>>;

/** Row text with exact integers (ns times exceed 2^53) and blobs as hex. */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v,
  );
}

/** Each table's rows in rowid (insertion) order, each as a short hash naming its row. */
function snapshot(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string; sql: string }[];
    const out: Record<string, string[]> = {};
    for (const { name, sql } of tables) {
      const order = /WITHOUT ROWID/i.test(sql) ? '' : ' ORDER BY rowid';
      const rows = db.prepare(`SELECT * FROM "${name}"${order}`).safeIntegers(true).all() as Record<
        string,
        unknown
      >[];
      if (rows.length === 0) continue;
      out[name] = rows.map((r, i) => {
        const text = rowText(r);
        return `${i}:${createHash('sha256').update(text).digest('hex').slice(0, 24)}:${text.length}`;
      });
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * The calls in the span pipeline's order. `pipelined`: none awaited before the next is made, as
 * the pipeline does with the worker writer (whose thread then writes several in one transaction).
 */
async function writeGoldenSet(
  version: string,
  traceWriter: 'worker' | 'inline',
  pipelined = false,
): Promise<string> {
  const path = join(dir, `golden-${version}-${traceWriter}${pipelined ? '-pipelined' : ''}.db`);
  const store = sqliteStore({
    path,
    schemaVersion: version,
    traceWriter,
    now: () => NOW,
    defaultArtifactRoot: 'file:///golden/mlruns',
  });
  const exp = (await store.getOrCreateExperiment('golden')).experimentId;
  const react = reactTrace();
  // Two traces in one call, one of them a rewrite of a stored span.
  const rootAgain = {
    ...react[0]!,
    attributes: { ...react[0]!.attributes, 'mlflow.spanOutputs': 'rewritten ✓' },
  };
  const late = infoFirst(exp);
  const calls: (() => Promise<unknown>)[] = [
    () => store.logSpans(exp, react),
    () => store.logSpans(exp, [...oddsTrace(), rootAgain]),
    () => store.startTrace(reactInfo(exp)),
    () => store.startTrace(oddsInfo(exp)),
    () => store.startTrace(late.info),
    () => store.logSpans(exp, late.spans),
  ];
  if (pipelined) await Promise.all(calls.map((call) => call()));
  else for (const call of calls) await call();
  await store.close();
  return path;
}

const cases = supportedSchemaVersions().flatMap((v) =>
  (['worker', 'inline'] as const).map((w) => [v, w] as const),
);

describe('the trace write path', () => {
  const actual: Golden = {};

  it.each(cases)('writes the pinned rows into a %s file (%s writer)', async (version, writer) => {
    const rows = snapshot(await writeGoldenSet(version, writer));
    actual[`${version}/${writer}`] = rows;
    expect(rows.spans).toHaveLength(reactTrace().length + 3 + 2);
    if (process.env.GOLDEN_UPDATE === '1') return;
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    expect(rows).toEqual(golden[`${version}/${writer}`]);
  });

  it.each(supportedSchemaVersions())(
    'writes the same rows into a %s file when the calls are pipelined to the writer thread',
    async (version) => {
      const rows = snapshot(await writeGoldenSet(version, 'worker', true));
      if (process.env.GOLDEN_UPDATE === '1') return;
      const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
      expect(rows).toEqual(golden[`${version}/worker`]);
    },
  );

  it('has an expectation for every case', () => {
    if (process.env.GOLDEN_UPDATE === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`); // then biome check --write
      return;
    }
    expect(existsSync(GOLDEN)).toBe(true);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    expect(Object.keys(golden).sort()).toEqual(cases.map(([v, w]) => `${v}/${w}`).sort());
    // The ReAct trace is really there (a guard against pinning an empty write).
    expect(golden['3.9/inline']?.spans?.length).toBeGreaterThan(10);
    expect(REACT).toMatch(/^tr-/);
  });
});
