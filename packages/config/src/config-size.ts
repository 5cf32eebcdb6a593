import { type ConfigIssue, makeIssue } from './errors.js';

/**
 * The largest config file read. Real configs are a few KiB; the cap keeps a misnamed data file
 * (every command reads `./graphtrace.yaml`) from costing seconds of parsing or lots of memory.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** A `CONFIG_TOO_LARGE` issue when `bytes` is over the cap, otherwise undefined. */
export function configSizeProblem(
  bytes: number,
  file: string | undefined,
): ConfigIssue | undefined {
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  return makeIssue(
    'CONFIG_TOO_LARGE',
    `the config file is ${formatBytes(bytes)}, over the limit of ${formatBytes(MAX_CONFIG_BYTES)}; ` +
      'if it is not the graphtrace config, name the right file (GRAPHTRACE_CONFIG, or --config of the graphtrace command); if it is, move its large unrelated sections to another file',
    { file },
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB (${bytes} bytes)`;
  return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
}
