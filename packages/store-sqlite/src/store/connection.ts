import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GraphtraceError } from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { MlflowDatabase } from '../schema/database.js';
import { fileError } from '../schema/file-errors.js';
import type { SchemaLayout } from '../schema/layout.js';
import { openSchema } from '../schema/open-schema.js';
import { withBusyRetry } from './busy-retry.js';
import { openReadOnlyFile, type Unwritable, unwritableLocation, writable } from './open-file.js';

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
    /** Set when the store asked to write but the file's location cannot be written. */
    private readonly unwritable: Unwritable | null = null,
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
    if (this.readOnly) return Promise.reject(this.readOnlyError());
    // IMMEDIATE takes the write lock up front, so SQLite's busy handler applies; a deferred
    // transaction upgrading to a writer could fail at once with SQLITE_BUSY_SNAPSHOT instead.
    const tx = this.db.transaction(fn);
    return this.named(withBusyRetry(() => tx.immediate(), this.retryOptions()));
  }

  read<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.named(withBusyRetry(fn, this.retryOptions()));
  }

  /** SQLite's errors for a damaged file become ones naming the file. */
  private named<T>(p: Promise<T>): Promise<T> {
    return p.catch((err: unknown) => {
      throw fileError(err, this.file());
    });
  }

  private file(): string {
    const path = this.options.path;
    return path === ':memory:' || path === '' ? 'the in-memory database' : resolve(path);
  }

  private readOnlyError(): GraphtraceError {
    if (this.unwritable) {
      const file = this.file();
      const why =
        this.unwritable === 'file'
          ? 'this user may not write the file (or it is on a read-only file system)'
          : `this user may not write its directory ${dirname(file)}, where SQLite keeps the -wal, ` +
            '-shm and -journal files it writes through';
      return new GraphtraceError(
        'READ_ONLY',
        `${file} is open read-only: ${why}, so writes are refused (reads work). To record ` +
          `data, make the ${this.unwritable} writable for this user, or copy the database to a ` +
          'writable directory and point the tracking URI at the copy.',
      );
    }
    return new GraphtraceError(
      'READ_ONLY',
      `${this.options.uri} is open read-only${
        this.db.readonly ? '' : ' (its MLflow schema is one this graphtrace does not know)'
      }: writes are refused. Open it without readOnly to record data.`,
    );
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

interface OpenedDatabase {
  db: BetterSqlite3.Database;
  owned: boolean;
  /** Set when a read-write open found the file's location read-only and opened it read-only. */
  unwritable: Unwritable | null;
}

function openDatabase(options: ConnectionOptions): OpenedDatabase {
  const given = options.database;
  if (given) {
    // An instance stays the caller's; a factory's product is ours to close.
    return typeof given === 'function'
      ? { db: given(), owned: true, unwritable: null }
      : { db: given, owned: false, unwritable: null };
  }
  const path = options.path;
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory && existsSync(path)) {
    // Where SQLite cannot write (a read-only file, directory or mount) it cannot even read a
    // WAL file the usual way: open it read-only, and let writes fail saying why.
    const unwritable = options.readOnly ? null : unwritableLocation(path);
    if (options.readOnly || unwritable)
      return { db: openReadOnlyFile(path).db, owned: true, unwritable };
    return { db: new Database(path), owned: true, unwritable: null };
  }
  try {
    if (options.readOnly) {
      return {
        db: new Database(path, { readonly: true, fileMustExist: true }),
        owned: true,
        unwritable: null,
      };
    }
    if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
    return { db: new Database(path), owned: true, unwritable: null };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_CANTOPEN') {
      throw new GraphtraceError(
        options.readOnly ? 'NOT_FOUND' : 'STORE_UNAVAILABLE',
        `cannot open ${options.uri}: ${
          options.readOnly
            ? 'the file does not exist (a read-only store never creates one)'
            : !writable(dirname(resolve(path)))
              ? `the directory ${dirname(resolve(path))} is not writable by this user, so the ` +
                'database cannot be created there: make it writable, or choose another path'
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
  const file = options.path === ':memory:' || options.path === '' ? null : options.path;
  let opened: OpenedDatabase;
  try {
    opened = openDatabase(options);
  } catch (err) {
    throw file === null ? err : fileError(err, resolve(file));
  }
  const { db, owned, unwritable } = opened;
  try {
    // Creating the schema takes the write lock; another process may hold it for a while.
    const schema = await withBusyRetry(
      () =>
        openSchema(db, {
          busyTimeoutMs: options.busyTimeoutMs,
          now: options.now,
          // Names the file in messages: a connection on an in-memory copy of it has no name.
          ...(file !== null && !options.database ? { file } : {}),
          ...(options.defaultArtifactRoot !== undefined
            ? { defaultArtifactRoot: options.defaultArtifactRoot }
            : {}),
          ...(options.schemaVersion !== undefined ? { schemaVersion: options.schemaVersion } : {}),
        }),
      { maxWaitMs: options.maxBusyWaitMs, uri: options.uri },
    );
    const readOnly = options.readOnly || schema.readOnly;
    // In WAL mode NORMAL syncs at checkpoints instead of at every commit: a process crash
    // loses nothing and the file stays consistent; only an OS crash or power cut can undo the
    // last commits. It keeps each commit from blocking the traced program on an fsync.
    const synchronous = options.synchronous ?? (owned ? 'normal' : undefined);
    if (!readOnly && synchronous) db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    return new Connection(db, schema.db, readOnly, schema.layout, owned, options, unwritable);
  } catch (err) {
    if (owned && db.open) db.close();
    throw file === null ? err : fileError(err, resolve(file));
  }
}
