import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { GraphtraceError } from '@graphtrace/core';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';

/** What keeps SQLite from writing a database: the file itself, or the directory it writes beside it. */
export type Unwritable = 'file' | 'directory';

/** Whether this user may write `path` (access(2): permissions and read-only mounts). */
export function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether SQLite can write the existing file `path`: it needs the file, and the directory too,
 * where it creates the -wal and -shm (or -journal) files. access(2) also answers for read-only
 * mounts (EROFS); root may write anywhere else.
 */
export function unwritableLocation(path: string): Unwritable | null {
  if (!writable(path)) return 'file';
  if (!writable(dirname(resolve(path)))) return 'directory';
  return null;
}

/** Bytes 18 and 19 of the header, the file format versions, are 2 in WAL mode. */
function isWalFile(path: string): boolean {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
  } finally {
    closeSync(fd);
  }
}

/** A read-only connection, and the in-memory copy it reads when it could not read the file itself. */
export interface ReadOnlyFile {
  db: BetterSqlite3.Database;
  /** The database image (not WAL) a connection on another thread can read too; null: the file. */
  snapshot: Uint8Array | null;
}

/**
 * Opens an existing file read-only. A WAL-mode file is read through its -wal and -shm files,
 * which SQLite cannot create in a read-only directory; SQLite would then need its `immutable=1`
 * URI parameter, which better-sqlite3 does not pass on (it builds SQLite without URI names). So
 * such a file is read as an in-memory copy, as `immutable=1` would: nobody can be writing it.
 */
export function openReadOnlyFile(path: string): ReadOnlyFile {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    // The first read opens the WAL: this is where a read-only directory stops it.
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    return { db, snapshot: null };
  } catch (err) {
    db.close();
    const code = String((err as { code?: unknown }).code);
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test(code) || !isWalFile(path)) throw err;
    const snapshot = readSnapshot(path, err);
    return { db: openSnapshot(snapshot), snapshot };
  }
}

/** A connection on a copy `readSnapshot` made (on any thread). */
export function openSnapshot(snapshot: Uint8Array): BetterSqlite3.Database {
  return new Database(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), {
    readonly: true,
  });
}

function readSnapshot(path: string, cause: unknown): Uint8Array {
  const file = resolve(path);
  const dir = dirname(file);
  const wal = `${file}-wal`;
  let walSize = 0;
  try {
    walSize = statSync(wal).size;
  } catch {}
  if (walSize > 0) {
    // The copy would lack the commits still in the WAL, and SQLite cannot read them here.
    throw new GraphtraceError(
      'STORE_UNAVAILABLE',
      `cannot read ${file}: its write-ahead log ${wal} holds commits not yet copied into it, and ` +
        `SQLite cannot create the ${basename(file)}-shm index it needs to read them in the ` +
        `read-only directory ${dir}. Open the database once where its directory is writable (that ` +
        `folds the log in), or copy ${basename(file)} together with ${basename(wal)} to a writable ` +
        'directory and read the copy.',
      { cause },
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_FS_FILE_TOO_LARGE') throw err;
    throw new GraphtraceError(
      'STORE_UNAVAILABLE',
      `cannot read ${file}: it is in WAL mode in the read-only directory ${dir}, where SQLite ` +
        'cannot create the -wal and -shm files it reads through, and it is too large to read as ' +
        'an in-memory copy. Make the directory writable, or copy the file to a writable ' +
        'directory and read the copy.',
      { cause: err },
    );
  }
  // The copy has no WAL beside it: its header must say rollback journal, or SQLite looks for one.
  bytes[18] = 1;
  bytes[19] = 1;
  return bytes;
}
