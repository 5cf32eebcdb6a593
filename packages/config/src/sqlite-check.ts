import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { tryParseTrackingUri } from './tracking-uri.js';

/**
 * Why a sqlite tracking URI could not be written, or undefined when it can (or is not sqlite).
 * SQLite also creates journal/WAL files next to the database, so the directory must be writable
 * even when the file already exists.
 */
export function sqliteWriteProblem(uri: string, cwd: string): string | undefined {
  const parsed = tryParseTrackingUri(uri);
  if (!parsed.ok || parsed.value.scheme !== 'sqlite') return undefined;
  const file = parsed.value.absolute ? parsed.value.path : resolve(cwd, parsed.value.path);
  const dir = dirname(file);
  const dirStat = statOrUndefined(dir);
  if (dirStat === undefined) {
    return `the directory ${dir} of the SQLite database does not exist; create it (mkdir -p ${dir}) or choose another path`;
  }
  if (!dirStat.isDirectory())
    return `${dir} is not a directory, so the SQLite database ${file} cannot be created there`;
  if (!canWrite(dir)) {
    return `the directory ${dir} of the SQLite database is not writable by this user; fix its permissions or choose another path`;
  }
  const fileStat = statOrUndefined(file);
  if (fileStat?.isDirectory()) return `${file} is a directory, not a SQLite database file`;
  if (fileStat !== undefined && !canWrite(file)) {
    return `the SQLite database ${file} is read-only for this user; fix its permissions or choose another path`;
  }
  return undefined;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
