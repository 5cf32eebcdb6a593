import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, node, npmInstall, npmProject, packAll, retryFetch } from './packed.js';
import { AGENT_SPANS, agentProgram, READ_BACK, TYPED_PROGRAM } from './programs.js';

// What a user installs: the packed tarballs and LangGraph from the registry, with plain npm.
// The project has no @graphtrace/store-mlflow and no CLI.
const root = mkdtempSync(join(tmpdir(), 'graphtrace-packed-'));
const app = join(root, 'app');

beforeAll(() => {
  const t = packAll(
    ['pricing', 'core', 'config', 'store-sqlite', 'autolog-langgraph', 'setup'],
    join(root, 'tarballs'),
  );
  npmProject(app, [...Object.values(t), '@langchain/core@1.4.0', '@langchain/langgraph@1.7.3']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GRAPH = `
const State = Annotation.Root({ n: Annotation() });
const graph = new StateGraph(State)
  .addNode('double', (s) => ({ n: s.n * 2 }))
  .addEdge(START, 'double')
  .addEdge('double', END)
  .compile();
`;

/** The agent's trace, read back from ./mlflow.db in `dir` by the packed store. */
const AGENT_TRACE = {
  traces: 1,
  state: 'OK',
  spans: AGENT_SPANS,
  tool: [
    { a: 40, b: 2 },
    { role: 'tool', content: '42', name: 'add', tool_call_id: 'call_0_0' },
  ],
  // The graph's shape and path reach autolog from ES modules and CommonJS alike.
  graph: ['__start__', 'tools', 'agent', '__end__'],
  path: ['agent', 'tools', 'agent'],
};

function readBack(dir: string): unknown {
  writeFileSync(join(dir, 'read.mjs'), READ_BACK);
  const r = node(dir, 'read.mjs');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('packed tarballs installed with npm', () => {
  it.each([
    [
      'esm',
      'app.mjs',
      `import { setup } from '@graphtrace/setup';
const graphtrace = await setup({ config: { experiment_name: 'packed', autolog_enabled: true } });`,
      'await graphtrace.close();',
    ],
    [
      'cjs',
      'app.cjs',
      `const { setup } = require('@graphtrace/setup');
const graphtrace = setup({ config: { experiment_name: 'packed', autolog_enabled: true } });`,
      'await (await graphtrace).close();',
    ],
  ] as const)(
    'the quickstart (%s): setup() traces a LangGraph agent into ./mlflow.db, span by span',
    (format, file, before, after) => {
      const dir = mkdtempSync(join(app, `quick-${format}-`));
      writeFileSync(join(dir, file), agentProgram(format, before, after));
      const r = node(dir, file);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toBe('The sum is 42.');
      expect(readBack(dir)).toEqual(AGENT_TRACE);
    },
  );

  it('the explicit wiring: createTracker + sqliteStore + autolog', () => {
    const dir = mkdtempSync(join(app, 'explicit-'));
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { autolog } from '@graphtrace/autolog-langgraph';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
const tracker = createTracker({ store: sqliteStore({ path: 'mlflow.db' }), experimentName: 'packed' });
autolog({ tracker });
${GRAPH}
await graph.invoke({ n: 1 });
await tracker.flushTraces();
await tracker.store.close();`,
    );
    const r = node(dir, 'app.mjs');
    expect(r.stderr).toBe('');
    expect(readBack(dir)).toMatchObject({
      traces: 1,
      spans: [
        ['LangGraph', 'CHAIN', null],
        ['double', 'CHAIN', 'LangGraph'],
      ],
    });
  });

  it('asking setup() for an http:// URI without @graphtrace/store-mlflow names the package to install', () => {
    const dir = mkdtempSync(join(app, 'http-'));
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { setup } from '@graphtrace/setup';
try {
  await setup({ config: { tracking_uri: 'http://127.0.0.1:9' } });
} catch (err) {
  console.log(JSON.stringify({ code: err.code, message: err.message }));
}`,
    );
    const r = node(dir, 'app.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      code: 'PACKAGE_NOT_INSTALLED',
      message:
        'the tracking URI http://127.0.0.1:9 needs @graphtrace/store-mlflow, which is not installed: npm i @graphtrace/store-mlflow',
    });
  });

  it('require() and import() give one instance of every installed package', () => {
    const dir = mkdtempSync(join(app, 'cjs-'));
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const names = ['@graphtrace/pricing', '@graphtrace/core', '@graphtrace/config', '@graphtrace/store-sqlite', '@graphtrace/autolog-langgraph', '@graphtrace/setup'];
const same = [];
for (const n of names) same.push(Object.keys(require(n)).length > 0 && require(n).createTracker === (await import(n)).createTracker && require(n) === (await import(n)));
console.log(JSON.stringify(same));`,
    );
    const r = node(dir, 'app.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, true, true, true, true, true]);
  });

  it('the packed pricing package finds its price table from CommonJS and ES modules', () => {
    const dir = mkdtempSync(join(app, 'price-'));
    const call = `createPricer().cost('gpt-4o-mini', 'openai', { input_tokens: 1000, output_tokens: 500 })`;
    writeFileSync(
      join(dir, 'app.cjs'),
      `const { createPricer } = require('@graphtrace/pricing');\nconsole.log(JSON.stringify(${call}));`,
    );
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { createPricer } from '@graphtrace/pricing';\nconsole.log(JSON.stringify(${call}));`,
    );
    for (const file of ['app.cjs', 'app.mjs']) {
      const r = node(dir, file);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({
        input_cost: 0.00015,
        output_cost: 0.0003,
        total_cost: 0.00045,
      });
    }
  });

  it.each([
    ['--import', 'esm', 'app.mjs'],
    ['--require', 'esm', 'app.mjs'],
    ['--require', 'cjs', 'app.cjs'],
  ] as const)(
    'zero-code: node %s @graphtrace/setup/register traces an unchanged %s agent',
    (flag, format, file) => {
      const dir = mkdtempSync(join(app, 'zero-'));
      writeFileSync(join(dir, file), agentProgram(format));
      const r = node(dir, file, { MLFLOW_EXPERIMENT_NAME: 'packed' }, [
        flag,
        '@graphtrace/setup/register',
      ]);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toBe('The sum is 42.'); // the program's own output, unchanged
      expect(readBack(dir)).toEqual(AGENT_TRACE);
    },
  );
});

// The same project, after the rest of graphtrace is added: the CLI, the dashboard, the server
// store, and TypeScript compiling against the packed types.
describe('packed tarballs: the CLI, the dashboard, and TypeScript consumers', () => {
  let traced: string;
  beforeAll(() => {
    const t = packAll(['cli', 'dashboard', 'store-mlflow'], join(root, 'tarballs'));
    npmInstall(app, [...Object.values(t), 'typescript@5.9.3', '@types/node@20.19.43']);
    traced = mkdtempSync(join(app, 'traced-'));
    writeFileSync(
      join(traced, 'app.mjs'),
      agentProgram(
        'esm',
        `import { setup } from '@graphtrace/setup';
const graphtrace = await setup({ config: { experiment_name: 'packed', autolog_enabled: true } });`,
        'await graphtrace.close();',
      ),
    );
    expect(node(traced, 'app.mjs').stderr).toBe('');
  });

  it('graphtrace traces ls --json lists the trace', () => {
    const r = node(
      traced,
      join(app, 'node_modules/@graphtrace/cli/dist/bin.js'),
      {},
      [],
      ['traces', 'ls', '--json'],
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.traces).toHaveLength(1);
    expect(out.traces[0]).toMatchObject({ state: 'OK', tags: { 'mlflow.traceName': 'LangGraph' } });
  });

  it('graphtrace ui serves the dashboard page and its API', async () => {
    const port = await freePort();
    const ui = spawn(
      process.execPath,
      [join(app, 'node_modules/.bin/graphtrace'), 'ui', '--port', String(port)],
      { cwd: traced, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const page = await retryFetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+src="[^"]+\.js"/);
      const traces = (await (await fetch(`${base}/api/traces`)).json()) as { traces: unknown[] };
      expect(traces.traces).toHaveLength(1);
    } finally {
      ui.kill();
    }
  });

  it.each([
    ['ES module, module nodenext', 'module', { module: 'nodenext' }],
    ['CommonJS, module nodenext', 'commonjs', { module: 'nodenext' }],
    ['CommonJS, module node16', 'commonjs', { module: 'node16' }],
    [
      'CommonJS, module commonjs (node10 resolution)',
      'commonjs',
      { module: 'commonjs', moduleResolution: 'node10' },
    ],
  ] as const)(
    'TypeScript compiles and runs a program against the packed types: %s',
    (_, type, options) => {
      const dir = mkdtempSync(join(app, 'ts-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type }));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          // No skipLibCheck: graphtrace's declarations are checked too. esModuleInterop as
          // `tsc --init` writes it (zod's CommonJS types need it under node10 resolution).
          compilerOptions: {
            ...options,
            target: 'es2022',
            strict: true,
            esModuleInterop: true,
            outDir: 'out',
            types: ['node'],
          },
          files: ['app.ts'],
        }),
      );
      writeFileSync(join(dir, 'app.ts'), TYPED_PROGRAM);
      const tsc = node(dir, join(app, 'node_modules/typescript/bin/tsc'), {}, [], ['-p', '.']);
      expect(tsc.stdout + tsc.stderr).toBe('');
      const r = node(dir, 'out/app.js');
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ answer: 42, traces: 1, server: 'http://127.0.0.1:9' });
    },
  );
});
