import { fallbackStore, memoryLogger, memoryStore } from '@graphtrace/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReachable, mlflowServerStore } from '../src/index.js';
import { blackhole, healthServer, type Listener, refusedPort } from './loopback.js';

const open: Listener[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

describe('checkReachable (real loopback sockets)', () => {
  it('says ok for a server whose /health answers 200', async () => {
    const s = await healthServer(200);
    open.push(s);
    const r = await checkReachable(`${s.url}/`);
    expect(r).toMatchObject({ ok: true, reason: 'ok' });
    expect(s.hits).toBe(1);
  });

  it('reports the status of an unhealthy server', async () => {
    const s = await healthServer(503);
    open.push(s);
    const r = await checkReachable(s.url);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/HTTP 503/);
  });

  it('decides a refused connection in milliseconds, far below the budget', async () => {
    const port = await refusedPort();
    const r = await checkReachable(`http://127.0.0.1:${port}`, { timeoutMs: 3000 });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/ECONNREFUSED/);
    expect(r.elapsedMs).toBeLessThan(100);
  });

  it('decides a host that accepts and never answers when the budget runs out', async () => {
    const hole = await blackhole();
    open.push(hole);
    const t0 = performance.now();
    const r = await checkReachable(hole.url, { timeoutMs: 400 });
    const wall = performance.now() - t0;
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/no answer within 400 ms/);
    // At the budget, not before, and not much after: bounds far from both.
    expect(wall).toBeGreaterThanOrEqual(380);
    expect(wall).toBeLessThan(2000);
  });

  it('strips credentials from the URL (fetch would refuse them)', async () => {
    const s = await healthServer(200);
    open.push(s);
    const r = await checkReachable(s.url.replace('http://', 'http://ada:secret@'));
    expect(r.ok).toBe(true);
  });

  it('refuses non-http URIs without touching the network', async () => {
    const r = await checkReachable('sqlite:///mlflow.db');
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/not an http/);
  });
});

describe('mlflowServerStore: reachable(), what the fallback store asks', () => {
  it('answers for its own server, within the budget it is given', async () => {
    const s = await healthServer(200);
    open.push(s);
    const store = mlflowServerStore({ trackingUri: `${s.url}/`, env: false });
    expect(await store.reachable?.(1000)).toMatchObject({ ok: true, reason: 'ok' });
    expect(s.hits).toBe(1);

    const hole = await blackhole();
    open.push(hole);
    const silent = mlflowServerStore({ trackingUri: hole.url, env: false });
    expect((await silent.reachable?.(300))?.reason).toBe('no answer within 300 ms');
    await Promise.all([store.close(), silent.close()]);
  });

  it('sends a program to the fallback when its server refuses at start', async () => {
    const port = await refusedPort();
    const fallback = memoryStore();
    const logger = memoryLogger();
    const store = fallbackStore({
      primary: mlflowServerStore({ trackingUri: `http://127.0.0.1:${port}`, env: false }),
      fallback: () => fallback,
      logger,
    });
    await store.getOrCreateExperiment('agents');
    expect(store.mode).toBe('fallback');
    expect(await fallback.getExperimentByName('agents')).not.toBeNull();
    const warning = logger.lines.find((l) => l.level === 'warn')?.message;
    expect(warning).toContain(`MLflow server http://127.0.0.1:${port} is unreachable`);
    expect(warning).toMatch(/ECONNREFUSED/);
    await store.close();
  });
});
