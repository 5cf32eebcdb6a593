import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GraphtraceError } from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { MlflowDatabase } from '../schema/database.js';
import type { SchemaLayout } from '../schema/layout.js';
import { openSchema } from '../schema/open-schema.js';
import { withBusyRetry } from './busy-retry.js';

export interface ConnectionOptions {
  path: string;
  uri: string;
  readOnly: boolean;
  busyTimeoutMs: number;
  /** How long to keep retrying a locked database after busy_timeout, in ms. */
  maxBusyWaitMs: number;
  database?: BetterSqlite3.Database | (() => BetterSqlite3.Database);
  defaultArtifactRoot?: string;
  /** The MLflow schema (release or revision) of a file this connection creates. */
  schemaVersion?: string;
  /** PRAGMA synchronous; undefined leaves a given connection as its owner set it. */
  synchronous?: 'normal' | 'full';
  now: () => number;
}

/**
 * One better-sqlite3 connection with MLflow's schema open on it: Kysely for reads, cached
 * prepared statements and IMMEDIATE transactions for writes, busy retries around both.
 */
/** Prepared statements kept for queries built at run time (their text varies with filters). */
const DYNAMIC_STATEMENTS = 200;

export class Connection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly dynamic = new Map<string, BetterSqlite3.Statement>();

  constructor(
    readonly db: BetterSqlite3.Database,
    readonly kysely: Kysely<MlflowDatabase>,
    /** True when writes must be refused (read-only handle or a newer, read-compatible schema). */
    readonly readOnly: boolean,
    /** The file's MLflow schema revision and how its rows are laid out. */
    readonly layout: SchemaLayout,
    private readonly owned: boolean,
    private readonly options: ConnectionOptions,
  ) {}

  /** A prepared statement, prepared once per connection. */
  stmt(source: string): BetterSqlite3.Statement {
    let s = this.statements.get(source);
    if (!s) {
      s = this.db.prepare(source);
      this.statements.set(source, s);
    }
    return s;
  }

  /**
   * Runs a query built with Kysely on a prepared statement kept in a small LRU: hot searches
   * skip re-preparing and Kysely's async driver round trip. Values stay bound parameters.
   */
  all<R>(query: CompiledQuery<R>): R[] {
    let s = this.dynamic.get(query.sql);
    if (s) this.dynamic.delete(query.sql);
    else {
      s = this.db.prepare(query.sql);
      if (this.dynamic.size >= DYNAMIC_STATEMENTS)
        this.dynamic.delete(this.dynamic.keys().next().value!);
    }
    this.dynamic.set(query.sql, s);
    return s.all(...query.parameters) as R[];
  }

  /** Runs `fn` in one IMMEDIATE transaction (all or nothing), retrying while the DB is locked. */
  write<T>(fn: () => T): Promise<T> {
    if (this.readOnly) {
      return Promise.reject(
        new GraphtraceError(
          'READ_ONLY',
          `${this.options.uri} is open read-only${
            this.db.readonly ? '' : ' (its MLflow schema is one this graphtrace does not know)'
          }: writes are refused. Open it without readOnly to record data.`,
        ),
      );
    }
    // IMMEDIATE takes the write lock up front, so SQLite's busy handler applies; a deferred
    // transaction upgrading to a writer could fail at once with SQLITE_BUSY_SNAPSHOT instead.
    const tx = this.db.transaction(fn);
    return withBusyRetry(() => tx.immediate(), this.retryOptions());
  }

  read<T>(fn: () => T | Promise<T>): Promise<T> {
    return withBusyRetry(fn, this.retryOptions());
  }

  private retryOptions() {
    return { maxWaitMs: this.options.maxBusyWaitMs, uri: this.options.uri };
  }

  close(): void {
    this.statements.clear();
    this.dynamic.clear();
    if (this.owned && this.db.open) this.db.close();
  }
}

function openDatabase(options: ConnectionOptions): { db: BetterSqlite3.Database; owned: boolean } {
  const given = options.database;
  if (given) {
    // An instance stays the caller's; a factory's product is ours to close.
    return typeof given === 'function' ? { db: given(), owned: true } : { db: given, owned: false };
  }
  const inMemory = options.path === ':memory:' || options.path === '';
  try {
    if (options.readOnly) {
      return {
        db: new Database(options.path, { readonly: true, fileMustExist: true }),
        owned: true,
      };
    }
    if (!inMemory) mkdirSync(dirname(resolve(options.path)), { recursive: true });
    return { db: new Database(options.path), owned: true };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CANTOPEN') {
      throw new GraphtraceError(
        options.readOnly ? 'NOT_FOUND' : 'STORE_UNAVAILABLE',
        `cannot open ${options.uri}: ${
          options.readOnly
            ? 'the file does not exist (a read-only store never creates one)'
            : (err as Error).message
        }`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Opens the connection and MLflow's schema. Schema problems surface as the schema module's
 * `SchemaError` (a coded error) and leave the file untouched.
 */
export async function openConnection(options: ConnectionOptions): Promise<Connection> {
  const { db, owned } = openDatabase(options);
  try {
    // Creating the schema takes the write lock; another process may hold it for a while.
    const opened = await withBusyRetry(
      () =>
        openSchema(db, {
          busyTimeoutMs: options.busyTimeoutMs,
          now: options.now,
          ...(options.defaultArtifactRoot !== undefined
            ? { defaultArtifactRoot: options.defaultArtifactRoot }
            : {}),
          ...(options.schemaVersion !== undefined ? { schemaVersion: options.schemaVersion } : {}),
        }),
      { maxWaitMs: options.maxBusyWaitMs, uri: options.uri },
    );
    const readOnly = options.readOnly || opened.readOnly;
    // In WAL mode NORMAL syncs at checkpoints instead of at every commit: a process crash
    // loses nothing and the file stays consistent; only an OS crash or power cut can undo the
    // last commits. It keeps each commit from blocking the traced program on an fsync.
    const synchronous = options.synchronous ?? (owned ? 'normal' : undefined);
    if (!readOnly && synchronous) db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    return new Connection(db, opened.db, readOnly, opened.layout, owned, options);
  } catch (err) {
    if (owned && db.open) db.close();
    throw err;
  }
}
