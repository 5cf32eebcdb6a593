import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Real directory of a package installed for this package's tests. */
function packageDir(name: string): string {
  return realpathSync(join(here, '..', 'node_modules', name));
}

/** The `node_modules` directory holding a package and its dependencies (pnpm's layout). */
function depsRoot(pkgDir: string, name: string): string {
  return resolve(pkgDir, ...name.split('/').map(() => '..'));
}

function entries(root: string): string[] {
  const names: string[] = [];
  for (const e of readdirSync(root)) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) for (const s of readdirSync(join(root, e))) names.push(`${e}/${s}`);
    else names.push(e);
  }
  return names;
}

/**
 * A second, physically separate copy of @langchain/core and @langchain/langgraph in a temporary
 * `node_modules` (other dependencies are linked): what an app gets when its package manager
 * installs two copies. Returns the directory and an importer for modules of that copy.
 */
export function makeSecondLangChainCopy(): {
  dir: string;
  importFromCopy<T>(specifierPath: string): Promise<T>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-second-lc-'));
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@langchain'), { recursive: true });
  const core = packageDir('@langchain/core');
  const langgraph = packageDir('@langchain/langgraph');
  const checkpoint = realpathSync(join(langgraph, '..', 'langgraph-checkpoint'));
  const copied: Record<string, string> = {
    '@langchain/core': core,
    '@langchain/langgraph': langgraph,
    '@langchain/langgraph-checkpoint': checkpoint,
  };
  for (const [name, from] of Object.entries(copied)) {
    cpSync(from, join(nm, name), {
      recursive: true,
      filter: (src) => !src.slice(from.length).includes('node_modules'),
    });
  }
  const roots = [
    depsRoot(core, '@langchain/core'),
    depsRoot(langgraph, '@langchain/langgraph'),
    depsRoot(checkpoint, '@langchain/langgraph-checkpoint'),
  ];
  for (const root of roots) {
    for (const name of entries(root)) {
      const target = join(nm, name);
      if (name in copied || existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(realpathSync(join(root, name)), target, 'dir');
    }
  }
  return {
    dir,
    importFromCopy: <T>(path: string) =>
      import(/* @vite-ignore */ pathToFileURL(join(nm, path)).href) as Promise<T>,
  };
}
