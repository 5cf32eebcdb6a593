import { constants } from 'node:fs';
import { copyFile, readFile, realpath, stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { configSizeProblem } from './config-size.js';
import { type ConfigIssue, makeIssue } from './errors.js';
import { type MigrateTextResult, migrateConfigText } from './migrate-text.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface MigrateFileOptions {
  /** Compute the result without writing anything. */
  dryRun?: boolean;
  /** Directory a relative path resolves against; defaults to `process.cwd()`. */
  cwd?: string;
}

export interface MigrateFileResult extends MigrateTextResult {
  /** Absolute path of the file (symlinks followed). */
  file: string;
  /** The copy of the original, when the file was rewritten. */
  backupPath: string | undefined;
  /** The file on disk was replaced. */
  written: boolean;
}

/**
 * Rewrites a config file into the current format. Keeps a `.bak` copy and replaces the file
 * atomically (temp file in the same directory, then rename). Writes nothing when the input is
 * invalid, already current, or `dryRun` is set.
 */
export async function migrateConfigFile(
  path: string,
  options: MigrateFileOptions = {},
): Promise<MigrateFileResult> {
  const absolute = resolve(options.cwd ?? process.cwd(), path);
  const fail = (issue: ConfigIssue, file = absolute): MigrateFileResult => ({
    ok: false,
    changed: false,
    before: '',
    after: '',
    warnings: [],
    errors: [issue],
    notes: [],
    file,
    backupPath: undefined,
    written: false,
  });

  let target: string;
  let text: string;
  try {
    // Rewriting through a symlink must replace its target, not the link.
    target = await realpath(absolute);
    const tooLarge = configSizeProblem((await stat(target)).size, path);
    if (tooLarge !== undefined) return fail(tooLarge);
    text = await readFile(target, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? makeIssue('CONFIG_NOT_FOUND', `config file not found (looked for ${absolute})`, {
            file: path,
          })
        : makeIssue(
            'CONFIG_READ_FAILED',
            `cannot read the config file: ${(err as Error).message}`,
            {
              file: path,
            },
          ),
    );
  }

  const result = migrateConfigText(text, { filename: path });
  const base = { ...result, file: target, backupPath: undefined, written: false };
  if (!result.ok || !result.changed || options.dryRun) return base;

  let backupPath: string | undefined;
  try {
    backupPath = await copyToFreeName(target);
    await writeFileAtomic(target, result.after);
    return { ...base, backupPath, written: true };
  } catch (err) {
    // Leave the directory as it was: the original is untouched, drop the backup too.
    if (backupPath !== undefined) await unlink(backupPath).catch(() => {});
    return {
      ...base,
      ok: false,
      changed: false,
      after: text,
      errors: [
        makeIssue('CONFIG_WRITE_FAILED', `could not rewrite the file: ${(err as Error).message}`, {
          file: path,
        }),
      ],
    };
  }
}

/** Copies to `<file>.bak`, or `<file>.bak.1`, `.bak.2`... so no earlier backup is overwritten. */
async function copyToFreeName(file: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? `${file}.bak` : `${file}.bak.${i}`;
    try {
      await copyFile(file, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i >= 1000) throw err;
    }
  }
}
