import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, npmProject, packAll } from './packed.js';

// What a user installs: the packed tarballs and LangGraph from the registry, with plain npm.
// The project has no @graphtrace/store-mlflow and no CLI.
const root = mkdtempSync(join(tmpdir(), 'graphtrace-packed-'));
const app = join(root, 'app');

beforeAll(() => {
  const t = packAll(
    ['core', 'config', 'store-sqlite', 'autolog-langgraph', 'setup'],
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

const READ_BACK = `
const store = sqliteStore({ path: 'mlflow.db' });
const exp = await store.getExperimentByName('packed');
const { traces } = await store.searchTraces({ experimentIds: [exp.experimentId] });
const spans = (await store.getTrace(traces[0].traceId)).spans;
console.log(JSON.stringify({ traces: traces.length, spans: spans.map((s) => s.name).sort() }));
await store.close();
`;

describe('packed tarballs installed with npm', () => {
  it('the quickstart: await setup() traces a LangGraph agent into ./mlflow.db', () => {
    const dir = mkdtempSync(join(app, 'quick-'));
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { setup } from '@graphtrace/setup';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
const graphtrace = await setup({ config: { experiment_name: 'packed', autolog_enabled: true } });
${GRAPH}
const out = await graph.invoke({ n: 21 });
await graphtrace.close();
if (out.n !== 42) throw new Error('the graph changed its result');
${READ_BACK}`,
    );
    const r = node(dir, 'app.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ traces: 1, spans: ['LangGraph', 'double'] });
  });

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
await tracker.store.close();
${READ_BACK}`,
    );
    const r = node(dir, 'app.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ traces: 1, spans: ['LangGraph', 'double'] });
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

  it('require() loads every installed package from CommonJS', () => {
    const dir = mkdtempSync(join(app, 'cjs-'));
    writeFileSync(
      join(dir, 'app.cjs'),
      `const names = ['@graphtrace/core', '@graphtrace/config', '@graphtrace/store-sqlite', '@graphtrace/autolog-langgraph', '@graphtrace/setup'];
console.log(JSON.stringify(names.map((n) => Object.keys(require(n)).length > 0)));`,
    );
    const r = node(dir, 'app.cjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, true, true, true, true]);
  });

  it.each([['--import'], ['--require']])(
    'zero-code: node %s @graphtrace/setup/register traces an unchanged ESM program',
    (flag) => {
      const dir = mkdtempSync(join(app, 'zero-'));
      writeFileSync(
        join(dir, 'app.mjs'),
        `import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
${GRAPH}
const out = await graph.invoke({ n: 21 });
console.log(JSON.stringify(out));`,
      );
      writeFileSync(
        join(dir, 'read.mjs'),
        `import { sqliteStore } from '@graphtrace/store-sqlite';
${READ_BACK}`,
      );
      const r = node(dir, 'app.mjs', { MLFLOW_EXPERIMENT_NAME: 'packed' }, [
        flag,
        '@graphtrace/setup/register',
      ]);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ n: 42 }); // the program's own output, unchanged
      expect(JSON.parse(node(dir, 'read.mjs').stdout)).toEqual({
        traces: 1,
        spans: ['LangGraph', 'double'],
      });
    },
  );

  it.each([
    ['zero-code (--require)', [], ['--require', '@graphtrace/setup/register']],
    [
      'setup() in its code',
      [
        "const { setup } = require('@graphtrace/setup');",
        'const graphtrace = setup({ config: { autolog_enabled: true } });',
      ],
      [],
    ],
  ])('a CommonJS program that requires LangGraph is traced: %s', (_, lines, flags) => {
    const dir = mkdtempSync(join(app, 'cjs-graph-'));
    writeFileSync(
      join(dir, 'app.cjs'),
      `${lines.join('\n')}
const { Annotation, END, START, StateGraph } = require('@langchain/langgraph');
${GRAPH}
graph.invoke({ n: 21 }).then(async (out) => {
  ${lines.length ? 'await (await graphtrace).close();' : ''}
  console.log(JSON.stringify(out));
});`,
    );
    writeFileSync(
      join(dir, 'read.mjs'),
      `import { sqliteStore } from '@graphtrace/store-sqlite';
${READ_BACK}`,
    );
    const r = node(dir, 'app.cjs', { MLFLOW_EXPERIMENT_NAME: 'packed' }, flags);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ n: 42 });
    expect(JSON.parse(node(dir, 'read.mjs').stdout)).toEqual({
      traces: 1,
      spans: ['LangGraph', 'double'],
    });
  });
});
