import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, RawBuilder } from 'kysely';
import type { MlflowDatabase } from '../schema/database.js';
import { fileError } from '../schema/file-errors.js';
import type { SchemaLayout } from '../schema/layout.js';
import { withBusyRetry } from '../store/busy-retry.js';

/** Prepared statements kept per connection; the SQL text varies with filters and experiments. */
const STATEMENTS = 100;

/** Runs SQL text with bound parameters on some read connection. */
interface Runner {
  all(sql: string, parameters: readonly unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

class InlineRunner implements Runner {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  async all(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    let statement = this.statements.get(sql);
    if (statement) this.statements.delete(sql);
    else {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENTS)
        this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement.all(...parameters);
  }

  async close(): Promise<void> {
    this.statements.clear();
  }
}

// The worker's whole program: a read-only connection answering { id, sql, parameters }.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const snapshot = workerData.snapshot;
// A WAL file in a read-only directory is read as the main thread's in-memory copy (open-file.ts).
const db = snapshot
  ? new Database(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), { readonly: true })
  : new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const statements = new Map();
parentPort.on('message', ({ id, sql, parameters }) => {
  try {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      if (statements.size >= ${STATEMENTS}) statements.delete(statements.keys().next().value);
      statements.set(sql, s);
    }
    parentPort.postMessage({ id, rows: s.all(...parameters) });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

/**
 * Runs the queries on a worker thread with its own read-only connection: better-sqlite3 blocks
 * the thread it runs on, and a GROUP BY over a million spans takes seconds, during which the
 * dashboard's server must go on answering (the trace list, live refresh).
 */
class WorkerRunner implements Runner {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (rows: unknown[]) => void; reject: (err: Error) => void }
  >();
  private next = 0;
  private failure: Error | null = null;

  constructor(path: string, busyTimeoutMs: number, snapshot: Uint8Array | null) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, busyTimeoutMs, snapshot },
    });
    this.worker.unref(); // an idle analytics thread never keeps the process alive
    this.worker.on(
      'message',
      (m: { id: number; rows?: unknown[]; error?: { message: string; code?: string } }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) this.worker.unref();
        if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else p.resolve(m.rows ?? []);
      },
    );
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (!this.failure) fail(new Error(`the analytics worker exited (code ${code})`));
    });
  }

  all(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive until the answer arrives
      this.worker.postMessage({ id, sql, parameters });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('sqliteAnalytics is closed');
    await this.worker.terminate();
  }
}

/** A read connection that runs Kysely-built raw queries as cached prepared statements. */
export class AnalyticsContext {
  private readonly runner: Runner;

  constructor(
    readonly db: BetterSqlite3.Database,
    readonly kysely: Kysely<MlflowDatabase>,
    /** Where the file's MLflow release keeps names, sessions and tokens. */
    readonly layout: SchemaLayout,
    /** The store's URI, and the file to name when SQLite finds it damaged. */
    private readonly names: { uri: string; file: string },
    private readonly maxBusyWaitMs: number,
    /**
     * A file to read on a worker thread (or the in-memory copy of it this thread reads); null
     * runs queries on `db`, on this thread.
     */
    worker: { path: string; busyTimeoutMs: number; snapshot: Uint8Array | null } | null,
  ) {
    this.runner = worker
      ? new WorkerRunner(worker.path, worker.busyTimeoutMs, worker.snapshot)
      : new InlineRunner(db);
  }

  all<R>(query: RawBuilder<unknown>): Promise<R[]> {
    const compiled = query.compile(this.kysely);
    return withBusyRetry(() => this.runner.all(compiled.sql, compiled.parameters), {
      maxWaitMs: this.maxBusyWaitMs,
      uri: this.names.uri,
    }).catch((err: unknown) => {
      throw fileError(err, this.names.file);
    }) as Promise<R[]>;
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
