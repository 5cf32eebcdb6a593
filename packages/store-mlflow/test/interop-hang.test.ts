import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTracker, memoryLogger, memoryStore, resilientStore } from '@graphtrace/core';
import { countTraces } from '@graphtrace/core/store-kit';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
} from '@graphtrace/mlflow-testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mlflowServerStore } from '../src/index.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { agentStep, startSqliteServer, tempDir } from './helpers.js';
import { pythonCounts } from './scenarios.js';

// The budgets are asserted as upper bounds with wide margins: these machines are noisy, and
// what matters is that a wait ends, not how fast.
describeInterop('a server that hangs mid-run (loopback fault proxy)', () => {
  const tmp = tempDir('hang');
  let server: MlflowServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startSqliteServer(tmp.dir);
    proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port });
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    tmp.remove();
  });

  it('flushTraces ends within its budget, spools what the server did not take, and the drain sends it all once the server answers', async () => {
    const logger = memoryLogger();
    // MLflow's own defaults per attempt (120 s, 3 retries): only the budgets bound the waits.
    const primary = mlflowServerStore({
      trackingUri: proxy.url,
      env: false,
      requestTimeoutMs: 120_000,
    });
    const spool = memoryStore();
    const store = resilientStore({
      primary,
      spool,
      fallback: () => memoryStore(),
      logger,
      drainIntervalMs: 200,
      precheckTimeoutMs: 1_000,
    });
    const tracker = createTracker({
      store,
      logger,
      experimentName: 'hang',
      flushTimeoutMs: 2_000,
      pipeline: { writeTimeoutMs: 1_500 },
    });
    await agentStep(tracker, 0);
    await tracker.flushTraces();
    expect(store.status()).toMatchObject({ mode: 'primary', spooling: false });

    proxy.hang();
    for (let i = 1; i <= 100; i++) await agentStep(tracker, i);
    const t0 = performance.now();
    await tracker.flushTraces();
    const flushMs = performance.now() - t0;
    // 2 s budget + 1 s settling; anything near 120 s (one attempt) would mean no bound.
    expect(flushMs).toBeLessThan(15_000);
    expect(store.status().spooling).toBe(true);
    expect(await countTraces(spool)).toBe(100);
    expect(tracker.stats()).toMatchObject({ droppedTraces: 0, droppedSpans: 0 });

    proxy.heal();
    const d0 = performance.now();
    while ((await countTraces(spool)) > 0 && performance.now() - d0 < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await countTraces(spool)).toBe(0);
    expect(store.status().spooling).toBe(false);

    const counts = await pythonCounts(server.url, 'hang');
    expect(counts).toMatchObject({ traces: 101, unique: 101, spanIdsUnique: true, states: ['OK'] });
    expect(counts.spans.every((n) => n === 4)).toBe(true);

    await tracker.shutdown();
    await store.close();
    expect(logger.lines.filter((l) => /still in the spool/.test(l.message))).toEqual([]);
  }, 180_000);

  it('a server store with maxWaitMs gives up on a hung server within it, with a message that says so', async () => {
    proxy.hang();
    try {
      const store = mlflowServerStore({ trackingUri: proxy.url, env: false, maxWaitMs: 1_500 });
      const t0 = performance.now();
      const err = await store.searchExperiments().catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((err as Error).message).toMatch(/did not answer .* within 1500 ms in all/);
      await store.close();
    } finally {
      proxy.heal();
    }
  }, 60_000);

  it('closing a resilient store whose server is still away says how many traces the spool keeps', async () => {
    const logger = memoryLogger();
    const spool = memoryStore();
    const store = resilientStore({
      primary: mlflowServerStore({ trackingUri: proxy.url, env: false }),
      spool,
      fallback: () => memoryStore(),
      logger,
      precheckTimeoutMs: 1_000,
    });
    const tracker = createTracker({
      store,
      logger,
      experimentName: 'hang-close',
      flushTimeoutMs: 1_000,
    });
    await tracker.experimentId();
    proxy.hang();
    try {
      for (let i = 0; i < 7; i++) await agentStep(tracker, i);
      await tracker.shutdown();
      await store.close();
    } finally {
      proxy.heal();
    }
    const said = logger.lines.find((l) => /still in the spool/.test(l.message));
    expect(said?.message).toMatch(/^7 trace\(s\) are still in the spool .*graphtrace sync/);
  }, 60_000);

  it('a program that just returns while the server hangs exits within the default budgets', async () => {
    // The program as a user writes it, with every default: one trace lands, then the server
    // hangs and the program traces more and returns without a flush.
    const script = join(tmp.dir, 'returns.mjs');
    const core = resolve(import.meta.dirname, '../node_modules/@graphtrace/core/dist/index.js');
    const store = resolve(import.meta.dirname, '../dist/index.js');
    writeFileSync(
      script,
      `import { createTracker } from ${JSON.stringify(core)};
import { mlflowServerStore } from ${JSON.stringify(store)};
const tracker = createTracker({ store: mlflowServerStore({ trackingUri: process.argv[2], env: false }), experimentName: 'returns' });
tracker.withSpan({ name: 'first' }, () => 1);
await tracker.flushTraces();
console.log('ready');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.pause();
for (let i = 0; i < 5; i++) tracker.withSpan({ name: 'later' }, () => i);
`,
    );
    const child = spawn(process.execPath, [script, proxy.url], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    proxy.hang();
    try {
      const t0 = performance.now();
      child.stdin.write('go\n');
      const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const code = await exited;
      clearTimeout(killer);
      // 10 s per batch write + 5 s at exit + settling; before, 4 attempts of 30 s each.
      expect(performance.now() - t0).toBeLessThan(45_000);
      expect(code).toBe(0);
      expect(stderr).toMatch(/could not write traces to http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      proxy.heal();
    }
  }, 180_000);
});
