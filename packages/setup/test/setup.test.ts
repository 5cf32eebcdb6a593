import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  flushTraces,
  init,
  memoryLogger,
  memoryStore,
  type TrackingStore,
  withSpan,
} from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadOptional,
  MlflowClient,
  openStore,
  registerStoreScheme,
  SPOOL_PATH,
  setup,
} from '../src/index.js';

const dirs: string[] = [];
function caseDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'graphtrace-setup-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Trace names per experiment of a SQLite file, read back by a fresh store. */
async function traceNames(path: string, experiment: string): Promise<string[]> {
  const store = sqliteStore({ path });
  try {
    const exp = await store.getExperimentByName(experiment);
    if (!exp) return [];
    const { items: traces } = await store.searchTraces({ experimentIds: [exp.experimentId] });
    return traces.map((t) => t.tags['mlflow.traceName']!).sort();
  } finally {
    await store.close();
  }
}

describe('setup()', () => {
  it('with nothing configured, traces into ./mlflow.db of the working directory', async () => {
    const cwd = caseDir();
    const s = await setup({ cwd, env: {}, logger: memoryLogger() });
    expect(s.store.uri).toContain(join(cwd, 'mlflow.db'));
    s.tracker.withSpan({ name: 'hello' }, () => 1);
    await s.close();
    expect(await traceNames(join(cwd, 'mlflow.db'), 'Default')).toEqual(['hello']);
  });

  it('reads ./graphtrace.yaml and MLflow variables; explicit options win; autolog traces a graph', async () => {
    const cwd = caseDir();
    writeFileSync(
      join(cwd, 'graphtrace.yaml'),
      [
        'observability:',
        '  mlflow:',
        '    config_version: 2',
        '    tracking_uri: sqlite:///from-file.db',
        '    experiment_name: from-file',
        '    autolog_enabled: true',
        '',
      ].join('\n'),
    );
    const logger2 = memoryLogger();
    const s = await setup({
      cwd,
      env: { MLFLOW_EXPERIMENT_NAME: 'from-env' },
      config: { tracking_uri: 'sqlite:///explicit.db' },
      logger: logger2,
    });
    expect(s.config).toMatchObject({
      experiment_name: 'from-env',
      tracking_uri: 'sqlite:///explicit.db',
      autolog_enabled: true,
    });
    expect(s.autolog).not.toBeNull();
    const State = Annotation.Root({ n: Annotation<number> });
    const graph = new StateGraph(State)
      .addNode('double', (st: { n: number }) => ({ n: st.n * 2 }))
      .addEdge(START, 'double')
      .addEdge('double', END)
      .compile();
    expect(await graph.invoke({ n: 21 })).toEqual({ n: 42 });
    await s.close();
    expect(logger2.lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(await traceNames(join(cwd, 'explicit.db'), 'from-env')).toEqual(['LangGraph']);
  });

  it('prices model calls by the pricing section of graphtrace.yaml, or not at all', async () => {
    const cwd = caseDir();
    const file = (enabled: boolean) =>
      [
        'observability:',
        '  mlflow:',
        '    pricing:',
        `      enabled: ${enabled}`,
        '      models:',
        '        acme-7b: { input_per_million_tokens: 0.5, output_per_million_tokens: 1.5 }',
        '',
      ].join('\n');
    const costs: (string | undefined)[] = [];
    for (const enabled of [true, false]) {
      writeFileSync(join(cwd, 'graphtrace.yaml'), file(enabled));
      const s = await setup({ cwd, env: {}, config: { tracking_uri: 'memory:' } });
      const traceId = s.tracker.withSpan({ name: 'call', spanType: 'CHAT_MODEL' }, (span) => {
        span.setAttribute('mlflow.llm.model', 'acme-7b');
        span.setAttribute('mlflow.chat.tokenUsage', { input_tokens: 2_000_000, output_tokens: 0 });
        return span.traceId;
      });
      await s.tracker.flushTraces();
      costs.push((await s.store.getTraceInfo(traceId))?.traceMetadata['mlflow.trace.cost']);
      await s.close();
    }
    expect(costs.map((c) => (c === undefined ? c : JSON.parse(c)))).toEqual([
      { input_cost: 1, output_cost: 0, total_cost: 1 },
      undefined,
    ]);
  });

  it('falls back to SQLite when the server refuses, with one warning, and keeps a spool path', async () => {
    const cwd = caseDir();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const logger = memoryLogger();
    const s = await setup({
      cwd,
      env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` },
      config: { fallback: { uri: 'sqlite:///fallback.db' } },
      logger,
    });
    s.tracker.withSpan({ name: 'offline' }, () => 1);
    await s.close();
    expect(await traceNames(join(cwd, 'fallback.db'), 'Default')).toEqual(['offline']);
    const warns = logger.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.message).toMatch(/unreachable .*sqlite:\/\/\/fallback\.db/);
    expect(SPOOL_PATH).toBe('.graphtrace/spool.db');
  });

  it('refuses a bad configuration with every problem, naming the place', async () => {
    const cwd = caseDir();
    writeFileSync(
      join(cwd, 'graphtrace.yaml'),
      'observability:\n  mlflow:\n    config_version: 2\n    sampling: 7\n',
    );
    await expect(setup({ cwd, env: {}, logger: memoryLogger() })).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/graphtrace\.yaml:4:15: observability\.mlflow\.sampling/),
    });
  });
});

describe('store registry', () => {
  it('opens a registered scheme, and a built-in one again once unregistered', async () => {
    const mine = memoryStore();
    const restore = registerStoreScheme('mine', (uri) => {
      expect(uri).toBe('mine://bucket');
      return mine;
    });
    const ctx = { cwd: caseDir() };
    expect(openStore('mine://bucket', ctx)).toBe(mine);
    restore();
    expect(() => openStore('mine://bucket', ctx)).toThrow(/unsupported scheme `mine:`/);
    expect(() => openStore('file:///tmp/mlruns', ctx)).toThrow(
      /FileStore URI .*graphtrace import mlruns/,
    );
  });

  it('setup() and the configuration accept a registered scheme, and refuse it once unregistered', async () => {
    const mine = memoryStore();
    const restore = registerStoreScheme('mine', () => mine);
    const cwd = caseDir();
    const graphtrace = await setup({ cwd, config: { tracking_uri: 'mine://bucket' } });
    expect(graphtrace.store).toBe(mine);
    await graphtrace.close();
    restore();
    await expect(setup({ cwd, config: { tracking_uri: 'mine://bucket' } })).rejects.toThrow(
      /unsupported scheme `mine:`.*registerStoreScheme/,
    );
  });

  it('names the package to install when a store package is missing', async () => {
    let err: unknown;
    try {
      loadOptional<TrackingStore>('@graphtrace/store-nowhere', 'the tracking URI nowhere://x');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'PACKAGE_NOT_INSTALLED',
      message:
        'the tracking URI nowhere://x needs @graphtrace/store-nowhere, which is not installed: npm i @graphtrace/store-nowhere',
    });
  });
});

describe("init() in MLflow's SDK form", () => {
  it('init({ trackingUri, experimentId }) points the module API at the store the URI names', async () => {
    const dir = caseDir();
    const path = join(dir, 'sdk.db');
    const prepared = sqliteStore({ path });
    const { experimentId } = await prepared.getOrCreateExperiment('sdk-form');
    await prepared.close();
    const tracker = init({ trackingUri: `sqlite:///${path}`, experimentId });
    expect(withSpan(() => 'traced', { name: 'via-init' })).toBe('traced');
    await flushTraces();
    await tracker.store.close();
    expect(await traceNames(path, 'sdk-form')).toEqual(['via-init']);
  });
});

describe("MlflowClient (MLflow's SDK client)", () => {
  it('reads a trace back in the SDK shape: { info, data: { spans } }', async () => {
    const dir = caseDir();
    const uri = `sqlite:///${join(dir, 'client.db')}`;
    const client = new MlflowClient({ trackingUri: uri });
    const experimentId = await client.createExperiment('client-exp');
    await expect(client.createExperiment('client-exp')).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    const tracker = init({ trackingUri: uri, experimentId });
    const traceId = withSpan(
      (root) => {
        withSpan((child) => child.setAttribute('k', 1), { name: 'child' });
        return root.traceId;
      },
      { name: 'root', inputs: { q: 'hi' } },
    );
    await flushTraces();
    await tracker.store.close();

    const trace = await client.getTrace(traceId);
    expect(trace.info).toMatchObject({
      traceId,
      state: 'OK',
      traceLocation: { type: 'MLFLOW_EXPERIMENT', mlflowExperiment: { experimentId } },
      tokenUsage: null,
    });
    const [root, child] = trace.data.spans;
    expect(root).toMatchObject({
      name: 'root',
      parentId: null,
      inputs: { q: 'hi' },
      outputs: traceId,
      status: { statusCode: 'STATUS_CODE_OK', description: '' },
    });
    expect(child!.parentId).toBe(root!.spanId);
    expect(child!.getAttribute('k')).toBe(1);
    expect(child!.startTime[0]).toBeGreaterThan(1_700_000_000);
    await expect(client.getTrace('tr-00000000000000000000000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await client.close();
  });
});
