import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { configSizeProblem } from './config-size.js';
import { type ConfigIssue, makeIssue } from './errors.js';

/** A config file's text, or the issue that kept it from being read; `absolute` either way. */
export type ConfigFileRead =
  | { ok: true; absolute: string; text: string }
  | { ok: false; absolute: string; issue: ConfigIssue };

/** Reads the config file at `path` (relative to `cwd`); a file too large is refused unread. */
export function readConfigFile(path: string, cwd: string): ConfigFileRead {
  const absolute = resolve(cwd, path);
  try {
    // Checked before reading, so a huge file is refused without loading it into memory.
    const tooLarge = configSizeProblem(statSync(absolute).size, path);
    if (tooLarge !== undefined) return { ok: false, absolute, issue: tooLarge };
    return { ok: true, absolute, text: readFileSync(absolute, 'utf8') };
  } catch (err) {
    return { ok: false, absolute, issue: readError(err, path, absolute) };
  }
}

function readError(err: unknown, shown: string, absolute: string): ConfigIssue {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return makeIssue('CONFIG_NOT_FOUND', `config file not found (looked for ${absolute})`, {
      file: shown,
    });
  }
  const why =
    code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (err as Error).message;
  return makeIssue('CONFIG_READ_FAILED', `cannot read the config file: ${why}`, { file: shown });
}
