import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryLogger, memoryStore, silentLogger } from '@graphtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startDashboard } from '../src/index.js';
import { seedStore } from './helpers/seed.js';

/** A GET with the headers exactly as given (fetch replaces Host with the URL's). */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startDashboard over a store without SQL analytics (memory store)', () => {
  const store = memoryStore();
  let server: DashboardServer;
  const logger = memoryLogger();

  beforeAll(async () => {
    await seedStore(store, { traces: 10 });
    server = await startDashboard({ store, port: 0, logger });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await store.close();
  });

  it('listens on 127.0.0.1 and says the aggregates come from a bounded scan', async () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.analytics.kind).toBe('scan');
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: expect.stringMatching(
          /^dashboard analytics: scan of memory: through searchTraces: at most 20,000 newest traces/,
        ),
      },
    ]);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as any;
    expect(health.analytics.kind).toBe('scan');
    const metrics = (await (await fetch(`${server.url}/api/metrics`)).json()) as any;
    expect(metrics.totals.traces).toBe(10);
    expect(metrics.coverage).toEqual({ traces: 10, complete: true });
    const tools = (await (await fetch(`${server.url}/api/tools`)).json()) as any;
    expect(tools.tools.map((t: any) => t.name)).toContain('calculator');
  });

  it('serves the built web app from its own assets, with caching and a strict CSP', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    expect(html).toContain('<div id="app"></div>');
    // Every script and stylesheet is local: no CDN.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.filter((a) => /^(https?:)?\/\//.test(a))).toEqual([]);
    const script = assets.find((a) => a.endsWith('.js'))!;
    const js = await fetch(new URL(script, `${server.url}/`));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${server.url}/nothing-here.js`)).status).toBe(404);
  });

  it('refuses requests addressed to another host name', async () => {
    expect(await get(`${server.url}/api/health`, { host: 'evil.example' })).toBe(403);
    expect(await get(`${server.url}/api/health`, { host: `localhost:${server.port}` })).toBe(200);
  });
});

describe('startDashboard errors and exposure', () => {
  it('says when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(
        startDashboard({ store: memoryStore(), port, logger: silentLogger }),
      ).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: `port ${port} on 127.0.0.1 is already in use: choose another one (--port)`,
      });
    } finally {
      blocker.close();
    }
  });

  it('warns when it listens beyond loopback, and then answers any host name', async () => {
    const logger = memoryLogger();
    const server = await startDashboard({ store: memoryStore(), host: '0.0.0.0', port: 0, logger });
    try {
      expect(logger.lines[0]).toMatchObject({
        level: 'warn',
        message: expect.stringMatching(
          /listens on 0\.0\.0\.0, not a loopback address: anyone who can reach this machine/,
        ),
      });
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(await get(`${server.url}/api/health`, { host: 'dashboard.lan' })).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('says an exposed dashboard is open to DNS rebinding, and what to do instead', async () => {
    const logger = memoryLogger();
    const server = await startDashboard({
      store: memoryStore(),
      host: '0.0.0.0',
      port: 0,
      logger,
    });
    try {
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      expect(warnings).toEqual([
        `the dashboard listens on 0.0.0.0, not a loopback address: anyone who can reach this machine on port ${server.port} can read your traces (inputs and outputs included) and add feedback. ` +
          'It also answers requests for any host name, which opens it to DNS rebinding: a web page open in your browser can reach it through a host name that page controls. ' +
          `To use it from another machine, keep it on 127.0.0.1 and forward the port over SSH (ssh -L ${server.port}:127.0.0.1:${server.port} <this machine>), or put it behind a proxy that authenticates users.`,
      ]);
      // What the warning says: any Host header is answered, a rebound name included.
      expect(
        await get(`${server.url}/api/health`, { host: `rebound.attacker.example:${server.port}` }),
      ).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('closes promptly even with a kept-alive browser connection', async () => {
    const server = await startDashboard({ store: memoryStore(), port: 0, logger: silentLogger });
    const r = await fetch(`${server.url}/api/health`, { headers: { connection: 'keep-alive' } });
    expect(r.status).toBe(200);
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });
});
