import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Uint8Array;
  type: string;
  /** Content-hashed file names never change: cache them for good. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The built web app: `dist/web` of this package (the same relative path from `src/server`
 * under tests and `dist/server` once built).
 */
export function defaultAssetsDir(): string {
  return fileURLToPath(new URL('../../dist/web/', import.meta.url));
}

/**
 * Reads the built app into memory once (it is small: an HTML page, a script, a stylesheet),
 * keyed by URL path. Null when it has not been built.
 */
export function loadAssets(dir: string): Map<string, Asset> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else {
        const path = `/${relative(dir, file).split(sep).join('/')}`;
        assets.set(path, {
          body: readFileSync(file),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: path.startsWith('/assets/'),
        });
      }
    }
  };
  walk(dir);
  return assets;
}
