import { MLFLOW_SCHEMA_FACTS } from './facts/mlflow-schemas.generated.js';
import type { RevisionFact } from './facts/schema-facts.js';

const FACTS = MLFLOW_SCHEMA_FACTS.revisions;

/**
 * MLflow's alembic revisions graphtrace reads and writes, oldest first: from 3.9.0's head to
 * the newest release checked (the facts in `facts/`, made by the real MLflow packages).
 */
export const MLFLOW_REVISIONS: readonly string[] = FACTS.map((f) => f.revision);

/** MLflow 3.9.0's head: the oldest revision graphtrace knows. */
export const OLDEST_SCHEMA_REVISION = FACTS[0]!.revision;

/** The newest revision graphtrace knows (MLflow 3.17's head). */
export const NEWEST_SCHEMA_REVISION = FACTS[FACTS.length - 1]!.revision;

/**
 * The revision of a new database: 3.9.0's head, the only one every MLflow from 3.9.0 on opens
 * without a manual step (3.9.0 refuses any other; newer releases upgrade it on first use).
 */
export const DEFAULT_SCHEMA_REVISION = OLDEST_SCHEMA_REVISION;

/** The oldest and newest MLflow releases graphtrace supports, for messages. */
export const MLFLOW_SUPPORTED_RANGE = {
  oldest: FACTS[0]!.release!,
  newest: FACTS[FACTS.length - 1]!.release!,
} as const;

/**
 * Revisions of MLflow releases before 3.9.0, oldest first (from the installed package's
 * migration scripts). A DB stamped with one was written by an older MLflow; `mlflow db upgrade`
 * of any supported release brings it into the chain graphtrace knows.
 */
export const MLFLOW_OLDER_REVISIONS: readonly string[] = [
  '451aebb31d03',
  '90e64c465722',
  '181f10493468',
  'df50e92ffc5e',
  '7ac759974ad8',
  '89d4b8295536',
  '2b4d017a5e9b',
  'cfd24bdc0731',
  '0a8213491aaa',
  '728d730b5ebd',
  '27a6a02d2cf1',
  '84291f40a231',
  'a8c4a736bde6',
  '39d1c3be5f05',
  'c48cb773bb87',
  'bd07f7e963c5',
  '0c779009ac13',
  'cc1f77228345',
  '97727af70f4d',
  '3500859a5d39',
  '7f2a7d5fae7d',
  '2d6e25af4d3e',
  'acf3f17fdcc7',
  '867495a8f9d4',
  '5b0e9adcef9c',
  '4465047574b1',
  'f5a4f2784254',
  '0584bdc529eb',
  '400f98739977',
  '6953534de441',
  'bda7b8c39065',
  'cbc13b556ace',
  '770bee3ae1dd',
  'a1b2c3d4e5f6',
  'de4033877273',
  '1a0cddfcaa16',
  '534353b11cbc',
  '71994744cf8e',
  '3da73c924c2f',
  'bf29a5ff90ea',
  '1bd49d398cd23',
  'b7c8d9e0f1a2',
  '5d2d30f0abce',
  'c9d4e5f6a7b8',
  '2c33131f4dae',
];

/**
 * Revisions of releases newer than graphtrace supports, seen in their packages, so a refusal can
 * name the release (3.18.0 from `mlflow-skinny==3.18.0`; its full wheel is not installable here).
 */
export const MLFLOW_NEWER_REVISIONS: Readonly<Record<string, string>> = {
  e7d1f4b2a9c6: '3.18.0',
  '8b6ad64cb8f5': '3.18.0',
  f4a9b2c7d1e6: '3.18.0',
};

const INDEX = new Map(FACTS.map((f, i) => [f.revision, i]));

/** The fact of a revision graphtrace knows, or undefined. */
export function revisionFact(revision: string): RevisionFact | undefined {
  const i = INDEX.get(revision);
  return i === undefined ? undefined : FACTS[i];
}

/** Whether `revision` is `since` or later in the chain (both must be known). */
export function isAtOrAfter(revision: string, since: string): boolean {
  const a = INDEX.get(revision);
  const b = INDEX.get(since);
  if (a === undefined || b === undefined)
    throw new Error(`unknown MLflow schema revision ${a === undefined ? revision : since}`);
  return a >= b;
}

/** The revisions from after `from` up to and including `to`, in order ([] when equal). */
export function revisionsBetween(from: string, to: string): string[] {
  const a = INDEX.get(from);
  const b = INDEX.get(to);
  if (a === undefined || b === undefined || b < a) return [];
  return MLFLOW_REVISIONS.slice(a + 1, b + 1);
}

/** `3.15` for a revision first shipped in 3.15.x; undefined for a revision graphtrace does not know. */
export function mlflowReleaseOf(revision: string): string | undefined {
  const fact = revisionFact(revision);
  if (fact?.shippedIn) return minor(fact.shippedIn);
  const newer = MLFLOW_NEWER_REVISIONS[revision];
  if (newer) return minor(newer);
  if (MLFLOW_OLDER_REVISIONS.includes(revision)) return 'before 3.9';
  return undefined;
}

function minor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * The head revision of an MLflow release (`3.17`, `3.17.2`) or the revision itself; undefined
 * when graphtrace knows neither.
 */
export function resolveSchemaRevision(versionOrRevision: string): string | undefined {
  const v = versionOrRevision.trim();
  if (INDEX.has(v)) return v;
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(v);
  if (!m) return undefined;
  const wanted = `${m[1]}.${m[2]}`;
  // The head of a minor: the last revision first shipped in it.
  let found: string | undefined;
  for (const f of FACTS) if (f.shippedIn && minor(f.shippedIn) === wanted) found = f.revision;
  return found;
}

/** Every MLflow minor graphtrace can create a database for, e.g. `['3.9', …, '3.17']`. */
export function supportedSchemaVersions(): string[] {
  return [...new Set(FACTS.filter((f) => f.release).map((f) => minor(f.release!)))];
}

/** Every table of a revision, sorted, `alembic_version` included. */
export function tablesOf(revision: string): string[] {
  const fact = revisionFact(revision);
  if (!fact) return [];
  return fact.objects
    .filter((o) => o[0] === 'table')
    .map((o) => o[1])
    .sort();
}

/** Where a revision stands for graphtrace. */
export type RevisionStatus =
  | { kind: 'supported'; release: string }
  | { kind: 'older' }
  | { kind: 'newer'; release: string }
  | { kind: 'unknown' };

export function classifyRevision(revision: string): RevisionStatus {
  if (revisionFact(revision)) return { kind: 'supported', release: mlflowReleaseOf(revision)! };
  if (MLFLOW_OLDER_REVISIONS.includes(revision)) return { kind: 'older' };
  const newer = MLFLOW_NEWER_REVISIONS[revision];
  return newer ? { kind: 'newer', release: minor(newer) } : { kind: 'unknown' };
}
