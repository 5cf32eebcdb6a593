// The cache outside the sources where the commands install their tools (pnpm, Node releases).
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDir = process.env.GRAPHTRACE_CACHE_DIR ?? join(homedir(), '.cache', 'graphtrace');

/** `npm` arguments that install one package spec into its own prefix in the cache, quietly. */
export const npmInstallInto = (prefix, spec) => [
  'install',
  '--prefix',
  prefix,
  '--no-audit',
  '--no-fund',
  '--loglevel=error',
  spec,
];
