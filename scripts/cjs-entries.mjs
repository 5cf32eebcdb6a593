#!/usr/bin/env node
// Gives a built package its CommonJS entries, run after `tsc` by each public package's build.
//
// graphtrace ships one ES-module build. A second, compiled CommonJS copy would hold a second
// global tracker, context and autolog hook: the very split that makes a CommonJS LangGraph app
// lose its traces when two instances of @langchain/core load. So each `require` entry is a
// one-line `.cjs` file that loads the ES module (require(esm), unflagged from Node 20.19, the
// packages' engines floor), and its types are the `.d.ts` tree copied to `.d.cts` so TypeScript
// sees CommonJS declarations under `module: node16`/`nodenext` and `node10` resolution alike.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const pkgDir = process.cwd();
const dist = join(pkgDir, 'dist');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

// `./x.js` and `../y/z.js` in a declaration become `.cjs`, which TypeScript maps to `.d.cts`.
const relativeJs = /(['"])(\.{1,2}\/[^'"]*?)\.js\1/g;

function* declarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarations(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}

let typeFiles = 0;
for (const file of declarations(dist)) {
  const text = readFileSync(file, 'utf8')
    .replace(relativeJs, '$1$2.cjs$1')
    .replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
  typeFiles += 1;
}

const entries = [];
for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
  const cjs = target?.require?.default;
  const esm = target?.import?.default;
  if (!cjs || !esm) {
    throw new Error(`${pkg.name}: exports["${subpath}"] needs import.default and require.default`);
  }
  const from = `./${relative(join(pkgDir, cjs, '..'), join(pkgDir, esm))}`;
  writeFileSync(
    join(pkgDir, cjs),
    `'use strict';\n// The ES-module build, loaded once for require() and import() alike.\nmodule.exports = require('${from}');\n`,
  );
  entries.push(cjs);
}
console.log(`${pkg.name}: ${entries.length} CommonJS entries, ${typeFiles} .d.cts files`);
