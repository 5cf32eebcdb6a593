import { afterEach, describe, expect, it } from 'vitest';
import { checkReachable, isServerUri } from '../src/resilience/check-reachable.js';
import { blackhole, healthServer, type Listener, refusedPort } from './resilience-helpers.js';

describe('checkReachable (real loopback sockets)', () => {
  const open: Listener[] = [];
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
  });

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
    expect(isServerUri('sqlite:///mlflow.db')).toBe(false);
    expect(isServerUri('HTTPS://mlflow.example')).toBe(true);
  });
});
