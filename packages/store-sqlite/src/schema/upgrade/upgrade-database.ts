import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import { unwritableLocation } from '../../store/open-file.js';
import { SchemaError } from '../errors.js';
import { fileError } from '../file-errors.js';
import { describeFile, inspectDatabase } from '../open-schema.js';
import {
  classifyRevision,
  MLFLOW_SUPPORTED_RANGE,
  mlflowReleaseOf,
  NEWEST_SCHEMA_REVISION,
  resolveSchemaRevision,
  revisionFact,
  revisionsBetween,
  supportedSchemaVersions,
} from '../revisions.js';
import { backfillTraceAnalytics } from './trace-analytics-backfill.js';
import { beginTransition, driftFromFacts, OLD_TABLE_PREFIX } from './transition.js';

export interface UpgradeOptions {
  /** The MLflow release (`3.17`, `3.15.2`) or alembic revision to move to; default the newest. */
  to?: string;
  /** Keep a copy of the file as it was (default true): `<file>.<revision>.bak`. */
  backup?: boolean;
  /** Clock (epoch ms), for the rows a migration stamps with "now". */
  now?: () => number;
  /** Called before each revision's step. */
  onStep?: (revision: string, index: number, count: number) => void;
}

export interface UpgradeResult {
  path: string;
  from: string;
  to: string;
  /** The revisions applied, oldest first ([] when the file was already there). */
  steps: string[];
  /**
   * Objects whose DDL was not MLflow's spelling and were rewritten to it (a file graphtrace 0.1.0
   * wrote): at the file's own revision when no step was needed, else along the steps.
   */
  repaired: string[];
  /** The copy of the file before the upgrade, when one was made. */
  backupPath: string | null;
}

/** What each revision does to rows beyond its DDL (from MLflow's migration scripts). */
const DATA_STEPS: Record<
  string,
  (db: BetterSqlite3.Database, step: { now: number; oldTable(name: string): string | null }) => void
> = {
  '75868b020152': (db, step) => {
    const old = step.oldTable('spans');
    const hasDims =
      old !== null &&
      db
        .prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?')
        .get(old, 'dimension_attributes') !== undefined;
    backfillTraceAnalytics(db, hasDims ? old : null);
  },
  // Jobs pending or running under the old executor are cancelled, stamped now.
  dc11669786a5: (db, step) => {
    db.prepare('UPDATE jobs SET status = 5, last_update_time = ? WHERE status IN (0, 1)').run(
      step.now,
    );
  },
};

function upgradeError(message: string, revision?: string, cause?: unknown) {
  return new SchemaError('SQLITE_SCHEMA_UPGRADE_FAILED', message, {
    ...(revision ? { revision } : {}),
    expectedRevision: NEWEST_SCHEMA_REVISION,
    ...(cause ? { cause } : {}),
  });
}

/** The revision `to` names, or a coded error listing what graphtrace knows. */
function targetRevision(to: string | undefined): string {
  if (to === undefined) return NEWEST_SCHEMA_REVISION;
  const revision = resolveSchemaRevision(to);
  if (revision) return revision;
  throw new SchemaError(
    'SQLITE_SCHEMA_UNKNOWN_VERSION',
    `--to ${JSON.stringify(to)} is not an MLflow release or revision graphtrace can upgrade to; ` +
      `use one of ${supportedSchemaVersions().join(', ')} (default: the newest, ` +
      `${MLFLOW_SUPPORTED_RANGE.newest}).`,
    { expectedRevision: NEWEST_SCHEMA_REVISION },
  );
}

/**
 * The objects of an open database whose DDL is not what MLflow writes at its revision ([] for a
 * revision graphtrace does not know): `graphtrace db upgrade` rewrites them.
 */
export function schemaDrift(db: BetterSqlite3.Database): string[] {
  const { revision } = inspectDatabase(db);
  const fact = typeof revision === 'string' ? revisionFact(revision) : undefined;
  return fact ? driftFromFacts(db, fact) : [];
}

/** A free backup name beside the file: `<file>.<revision>.bak`, then `.1.bak`, … */
function backupName(path: string, revision: string): string {
  for (let i = 0; ; i++) {
    const candidate = `${path}.${revision}${i === 0 ? '' : `.${i}`}.bak`;
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Copies the file (SQLite's backup API: consistent while others use it), then takes the write
 * lock; a write by another process in between means the copy is stale, so it is made again.
 * (The backup API copies nothing from a connection inside a WAL write transaction, so the copy
 * cannot simply be made under the lock.)
 */
async function backupThenLock(db: BetterSqlite3.Database, backupPath: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = db.pragma('data_version', { simple: true });
    await db.backup(backupPath);
    db.exec('BEGIN IMMEDIATE');
    if (db.pragma('data_version', { simple: true }) === before) return;
    db.exec('ROLLBACK');
    if (attempt === 5)
      throw new Error(
        'the file changed during each of 5 attempts to copy it: stop the programs writing to it, then upgrade',
      );
  }
}

/**
 * Moves an MLflow SQLite tracking database forward along MLflow's revisions, with the result
 * `mlflow db upgrade` of that release gives (the same `sqlite_master` text, the same rows).
 *
 * Unlike alembic on SQLite, it is all or nothing: every step runs in one transaction that holds
 * the write lock, so other processes (an app writing traces, `mlflow ui`) wait and then see the
 * file before or after, never half-migrated; a failure or a crash leaves the file as it was.
 * A consistent copy of the file is kept first (SQLite's backup API, safe while others read it).
 */
export async function upgradeDatabase(
  path: string,
  options: UpgradeOptions = {},
): Promise<UpgradeResult> {
  const to = targetRevision(options.to);
  if (!existsSync(path))
    throw upgradeError(`${path} does not exist: there is no database to upgrade.`);
  const unwritable = unwritableLocation(path);
  if (unwritable)
    throw upgradeError(
      `${path} cannot be upgraded here: this user may not write ${
        unwritable === 'file' ? 'the file' : `its directory ${dirname(resolve(path))}`
      } (or it is on a read-only file system). Make it writable, or upgrade a copy in a ` +
        'writable directory.',
    );
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const where = describeFile(db);
    let found: ReturnType<typeof inspectDatabase>;
    try {
      found = inspectDatabase(db);
    } catch (err) {
      throw fileError(err, resolve(path));
    }
    if (found.tables.length === 0)
      throw upgradeError(
        `${where} is empty: graphtrace creates new files at the schema asked for, there is nothing to upgrade.`,
      );
    const from = found.revision;
    if (typeof from !== 'string')
      throw upgradeError(
        `${where} is not an MLflow tracking database (no single alembic_version revision), so there is nothing to upgrade. It was left untouched: point the tracking URI at the MLflow database to upgrade.`,
      );
    const status = classifyRevision(from);
    if (status.kind !== 'supported') {
      const what =
        status.kind === 'older'
          ? `was written by an MLflow older than 3.9 (revision ${from}): upgrade it with \`mlflow db upgrade\` of any MLflow ${MLFLOW_SUPPORTED_RANGE.oldest} to ${MLFLOW_SUPPORTED_RANGE.newest} first`
          : status.kind === 'newer'
            ? `has revision ${from} of MLflow ${status.release}, newer than graphtrace knows`
            : `has revision ${from}, which no MLflow graphtrace knows`;
      throw upgradeError(`${where} ${what}. It was left untouched.`, from);
    }
    if (revisionsBetween(to, from).length > 0)
      throw upgradeError(
        `${where} is at MLflow ${mlflowReleaseOf(from)} (revision ${from}), newer than ${mlflowReleaseOf(to)}: graphtrace does not downgrade. It was left untouched.`,
        from,
      );
    const repaired = driftFromFacts(db, revisionFact(from)!);
    // Already there with MLflow's DDL: nothing to do. With other DDL: rewrite it in place.
    const steps = revisionsBetween(from, to);
    if (steps.length === 0 && repaired.length === 0)
      return { path, from, to, steps: [], repaired: [], backupPath: null };

    let backupPath: string | null = null;
    const now = (options.now ?? Date.now)();
    // Rebuilding a table renames it away: no other table's references may follow it.
    db.pragma('foreign_keys = OFF');
    db.pragma('legacy_alter_table = ON');
    let current = from;
    try {
      if (options.backup !== false) {
        backupPath = backupName(path, from);
        await backupThenLock(db, backupPath);
      } else db.exec('BEGIN IMMEDIATE');
      const violationsBefore = (db.prepare('PRAGMA foreign_key_check').all() as unknown[]).length;
      if (steps.length === 0)
        beginTransition(db, revisionFact(from)!, revisionFact(from)!).finish();
      for (const [i, revision] of steps.entries()) {
        options.onStep?.(revision, i, steps.length);
        const transition = beginTransition(db, revisionFact(current)!, revisionFact(revision)!);
        DATA_STEPS[revision]?.(db, {
          now,
          oldTable: (name) =>
            transition.rebuilt.includes(name) ? `${OLD_TABLE_PREFIX}${name}` : null,
        });
        transition.finish();
        db.prepare('UPDATE alembic_version SET version_num = ?').run(revision);
        current = revision;
      }
      const violations = (db.prepare('PRAGMA foreign_key_check').all() as unknown[]).length;
      if (violations > violationsBefore)
        throw new Error(
          `the upgrade would leave ${violations - violationsBefore} rows without their parent rows`,
        );
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (backupPath) await rm(backupPath, { force: true });
      const failed = steps[steps.indexOf(current) + 1];
      const what = failed
        ? `Upgrading ${where} from revision ${from} failed in the step to ${failed} (MLflow ${mlflowReleaseOf(failed)})`
        : `Rewriting ${where}'s DDL to MLflow's failed`;
      throw upgradeError(
        `${what}: ${err instanceof Error ? err.message : String(err)}. Nothing was changed: the file is still at ${from}.`,
        from,
        err,
      );
    } finally {
      db.pragma('legacy_alter_table = OFF');
      db.pragma('foreign_keys = ON');
    }
    return { path, from, to, steps, repaired, backupPath };
  } finally {
    db.close();
  }
}
