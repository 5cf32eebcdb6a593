#!/usr/bin/env node
// Regenerates src/schema/facts/mlflow-schemas.generated.ts from the real MLflow packages:
//
//   pnpm --filter @graphtrace/store-sqlite run schema-facts
//
// 1. The newest release walks its alembic chain one revision at a time from 3.9.0's head,
//    dumping sqlite_master after each revision (PYTHONHASHSEED=0: alembic's batch rebuilds
//    order some constraints by set iteration, so the seed picks one spelling).
// 2. The same walk under other seeds collects the other spellings MLflow itself writes.
// 3. Every release of the matrix makes a fresh DB its own way (SqlAlchemyStore on an empty
//    file); its dump must equal the walk's at its head, and is recorded as the maker of that
//    revision. Revisions that are no release's head are recorded as made by the walk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureMlflowVenv,
  MLFLOW_MATRIX_VERSIONS,
  MLFLOW_NEWEST,
  quietMlflowEnv,
} from '@graphtrace/mlflow-testkit';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'mlflow_schema_facts.py');
const out = join(here, '..', 'src', 'schema', 'facts', 'mlflow-schemas.generated.ts');
const FIRST = 'd3e4f5a6b7c8';
const OTHER_SEEDS = [1, 2, 3, 4, 5, 6, 7];
const work = mkdtempSync(join(tmpdir(), 'schema-facts-'));

function run(version, python, args, seed = 0) {
  const json = join(work, `out-${version}-${args[0]}-${seed}.json`);
  const db = join(work, `db-${version}-${args[0]}-${seed}.db`);
  execFileSync(python, [script, args[0], db, json, ...args.slice(1)], {
    env: { ...process.env, ...quietMlflowEnv(), PYTHONHASHSEED: String(seed) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(json, 'utf8'));
}

const key = (o) => `${o[0]}:${o[1]}`;

/** Indented JSON with each short array of plain values on one line, so the file stays readable. */
function compact(json) {
  return json.replace(/\[\n\s*((?:(?:"(?:[^"\\]|\\.)*"|-?\d+|null),?\n\s*)+)\]/g, (all, items) => {
    const line = `[${items
      .trim()
      .split(/,\n\s*/)
      .join(', ')}]`;
    return line.length <= 90 ? line : all;
  });
}

/** The objects of two dumps that differ (by type:name), for a readable failure. */
function differences(a, b) {
  const am = new Map(a.objects.map((o) => [key(o), o[3]]));
  const bm = new Map(b.objects.map((o) => [key(o), o[3]]));
  const names = new Set([...am.keys(), ...bm.keys()]);
  return [...names].filter((n) => am.get(n) !== bm.get(n));
}

try {
  const venvs = new Map();
  for (const v of MLFLOW_MATRIX_VERSIONS) venvs.set(v, await ensureMlflowVenv(v));

  const newest = venvs.get(MLFLOW_NEWEST);
  const walk = run(MLFLOW_NEWEST, newest.python, ['walk', FIRST]).result;
  const byRevision = new Map(walk.map((d) => [d.revision, d]));

  // Other spellings of the same object, as MLflow writes them under other hash seeds.
  const spellings = new Map(); // canonical sql -> Set of other sql
  for (const seed of OTHER_SEEDS) {
    const other = run(MLFLOW_NEWEST, newest.python, ['walk', FIRST], seed).result;
    for (const d of other) {
      const canonical = new Map(byRevision.get(d.revision).objects.map((o) => [key(o), o[3]]));
      for (const o of d.objects) {
        const c = canonical.get(key(o));
        if (c !== undefined && c !== o[3]) {
          if (!spellings.has(c)) spellings.set(c, new Set());
          spellings.get(c).add(o[3]);
        }
      }
    }
  }

  // Each release's own fresh DB, and which revisions each release's chain contains.
  const madeBy = new Map();
  const heads = new Map();
  for (const [version, venv] of venvs) {
    const fresh = run(version, venv.python, ['fresh']);
    const at = byRevision.get(fresh.result.revision);
    if (!at)
      throw new Error(`MLflow ${version}'s head ${fresh.result.revision} is not in the walk`);
    const diff = differences(fresh.result, at).filter((n) => {
      const theirs = fresh.result.objects.find((o) => key(o) === n)?.[3];
      const ours = at.objects.find((o) => key(o) === n)?.[3];
      return !(ours !== undefined && spellings.get(ours)?.has(theirs));
    });
    if (diff.length > 0)
      throw new Error(`MLflow ${version}'s own DB differs from the walk at: ${diff.join(', ')}`);
    if (!madeBy.has(fresh.result.revision)) {
      madeBy.set(fresh.result.revision, `mlflow ${version} (SqlAlchemyStore on an empty file)`);
      heads.set(fresh.result.revision, version);
      // The release's own order of sqlite_master is the order creation replays.
      at.objects = fresh.result.objects.map((o) => {
        const canonical = at.objects.find((c) => key(c) === key(o));
        return [o[0], o[1], o[2], canonical[3]];
      });
    }
  }

  const statements = [];
  const index = new Map();
  const ref = (sql) => {
    if (!index.has(sql)) {
      index.set(sql, statements.length);
      statements.push(sql);
    }
    return index.get(sql);
  };
  const revisions = walk.map((d, i) => {
    return {
      revision: d.revision,
      downRevision: i === 0 ? null : walk[i - 1].revision,
      release: heads.get(d.revision) ?? null,
      madeBy:
        madeBy.get(d.revision) ?? `mlflow ${MLFLOW_NEWEST} (alembic upgrade to this revision)`,
      objects: d.objects.map((o) => [o[0], o[1], o[2], ref(o[3])]),
      rows: d.rows,
    };
  });
  // The first release of the matrix whose chain holds the revision: the next head at or after it.
  let next = null;
  for (let i = revisions.length - 1; i >= 0; i--) {
    if (revisions[i].release) next = revisions[i].release;
    revisions[i].shippedIn = next;
  }
  const alternatives = {};
  for (const [canonical, others] of spellings) alternatives[ref(canonical)] = [...others].map(ref);

  const facts = {
    generatedWith: [...venvs.keys()].map((v) => `mlflow ${v}`),
    hashSeed: 0,
    revisions,
    statements,
    alternatives,
  };
  writeFileSync(
    out,
    `// Generated by scripts/schema-facts.mjs from the real MLflow packages; do not edit.\n` +
      `// Every table, index and trigger MLflow writes into a new SQLite tracking database, per\n` +
      `// alembic revision, as the text SQLAlchemy emits (see SCHEMA_NOTES.md).\n` +
      `import type { SchemaFacts } from './schema-facts.js';\n\n` +
      `export const MLFLOW_SCHEMA_FACTS: SchemaFacts = ${compact(JSON.stringify(facts, null, 1))};\n`,
  );
  console.log(
    `wrote ${out}: ${revisions.length} revisions, ${statements.length} statements, ` +
      `${Object.keys(alternatives).length} with other spellings`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
