import { readFileSync } from 'node:fs';

/** The installed version of a bench dependency, for the report's labels ('?' if unreadable). */
export function installedVersion(pkg: string): string {
  try {
    // dist/autolog-react/ → bench/node_modules (the packages' exports hide package.json).
    const url = new URL(`../../node_modules/${pkg}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
