import { resolve } from 'node:path';

/** Where a program keeps the traces a server did not take mid-run, relative to its directory. */
export const SPOOL_PATH = '.graphtrace/spool.db';

/** The spool's tracking URI for a program run in `cwd`. */
export function spoolUri(cwd: string): string {
  return `sqlite:///${resolve(cwd, SPOOL_PATH)}`;
}
