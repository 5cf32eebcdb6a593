import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

function readPackage(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as {
      name?: string;
      version?: string;
    };
  } catch {
    return undefined;
  }
}

/**
 * The `version` of an installed package as this CLI would load it, or undefined when it is not
 * installed. Found from the entry point, since `exports` often hides package.json.
 */
export function packageVersion(name: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.resolve(name)));
  } catch {
    return undefined;
  }
  for (let i = 0; i < 6; i++) {
    const pkg = readPackage(dir);
    if (pkg?.name === name) return pkg.version;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** This package's own version (dist/ sits beside package.json). */
export function cliVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
