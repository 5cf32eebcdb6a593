import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { makeTraceInfo } from '@graphtrace/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { MlflowServerStore, mlflowServerStore, splitLogBatch } from '../src/index.js';
import { tempDir } from './helpers.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Stub {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

const open: Stub[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function listen(
  server: Server,
  scheme: 'http' | 'https',
  requests: Stub['requests'],
): Promise<Stub> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const stub: Stub = {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  open.push(stub);
  return stub;
}

function handlerWith(requests: Stub['requests'], handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  };
}

/** A loopback HTTP server standing in for MLflow, answering with `handler`. */
function stub(handler: Handler): Promise<Stub> {
  const requests: Stub['requests'] = [];
  return listen(createServer(handlerWith(requests, handler)), 'http', requests);
}

const experimentJson = JSON.stringify({
  experiment: {
    experiment_id: '0',
    name: 'Default',
    artifact_location: 'x',
    lifecycle_stage: 'active',
    tags: [],
  },
});
const ok: Handler = (_req, _body, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(experimentJson);
};

describe('server store HTTP behaviour (loopback stand-ins)', () => {
  it('sends a bearer token, from the option or from MLFLOW_TRACKING_TOKEN', async () => {
    const s = await stub(ok);
    await mlflowServerStore({ trackingUri: s.url, token: 't0ken', env: false }).getExperiment('0');
    await mlflowServerStore({
      trackingUri: s.url,
      env: { MLFLOW_TRACKING_TOKEN: 'from-env' },
    }).getExperiment('0');
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer t0ken',
      'Bearer from-env',
    ]);
  });

  it('sends basic auth from options, from the URI or from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const s = await stub(ok);
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    await mlflowServerStore({
      trackingUri: s.url,
      username: 'ada',
      password: 'pw',
      env: false,
    }).getExperiment('0');
    await mlflowServerStore({
      trackingUri: s.url.replace('//', '//bob:s%40cret@'),
      env: false,
    }).getExperiment('0');
    await mlflowServerStore({
      trackingUri: s.url,
      env: { MLFLOW_TRACKING_USERNAME: 'cy', MLFLOW_TRACKING_PASSWORD: 'x' },
    }).getExperiment('0');
    expect(s.requests.map((r) => r.headers.authorization)).toEqual([
      basic('ada', 'pw'),
      basic('bob', 's@cret'),
      basic('cy', 'x'),
    ]);
    const store = mlflowServerStore({
      trackingUri: s.url.replace('//', '//bob:s%40cret@'),
      env: false,
    });
    expect(store.uri).toBe(s.url); // credentials never show in messages
  });

  it('explains 401 and 403 with the variables to set', async () => {
    const s = await stub((req, _b, res) => {
      res.statusCode = req.headers.authorization ? 403 : 401;
      res.end(
        JSON.stringify({
          error_code: req.headers.authorization ? 'PERMISSION_DENIED' : 'UNAUTHENTICATED',
          message: 'nope',
        }),
      );
    });
    const anon = mlflowServerStore({ trackingUri: s.url, env: false });
    await expect(anon.getExperiment('0')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/MLFLOW_TRACKING_TOKEN.*MLFLOW_TRACKING_USERNAME/s),
    });
    const user = mlflowServerStore({ trackingUri: s.url, token: 'x', env: false });
    await expect(user.getExperiment('0')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      status: 403,
    });
  });

  it('retries 503 and 429 (honouring Retry-After) with backoff, then succeeds', async () => {
    let n = 0;
    const s = await stub((req, body, res) => {
      n++;
      if (n === 1) {
        res.statusCode = 503;
        return res.end('busy');
      }
      if (n === 2) {
        res.statusCode = 429;
        res.setHeader('retry-after', '0');
        return res.end('slow down');
      }
      ok(req, body, res);
    });
    const store = mlflowServerStore({
      trackingUri: s.url,
      env: false,
      retries: 3,
      retryBaseDelayMs: 10,
    });
    expect((await store.getExperiment('0'))?.name).toBe('Default');
    expect(n).toBe(3);
  });

  it('gives up after the bounded retries with STORE_UNAVAILABLE', async () => {
    const s = await stub((_req, _b, res) => {
      res.statusCode = 502;
      res.end('<html>bad gateway</html>');
    });
    const store = mlflowServerStore({
      trackingUri: s.url,
      env: false,
      retries: 2,
      retryBaseDelayMs: 5,
    });
    await expect(store.getExperiment('0')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/HTTP 502.*after 3 attempts/),
    });
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry a refusal (4xx) and maps MLflow error codes', async () => {
    const s = await stub((_req, _b, res) => {
      res.statusCode = 400;
      res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad key' }));
    });
    const store = mlflowServerStore({
      trackingUri: s.url,
      env: false,
      retries: 3,
      retryBaseDelayMs: 5,
    });
    await expect(store.getExperiment('0')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      serverErrorCode: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('bad key'),
    });
    expect(s.requests).toHaveLength(1);
  });

  it('times out a silent server per attempt and does not repeat a non-idempotent request', async () => {
    const s = await stub(() => {
      /* never answers */
    });
    const store = mlflowServerStore({
      trackingUri: s.url,
      env: false,
      requestTimeoutMs: 200,
      retries: 1,
      retryBaseDelayMs: 5,
    });
    const t0 = performance.now();
    await expect(store.getExperiment('0')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/no answer within 200 ms/),
    });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(s.requests).toHaveLength(2); // idempotent GET: tried twice
    await expect(store.createRun({ experimentId: '0' })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(s.requests.filter((r) => r.url.endsWith('/runs/create'))).toHaveLength(1);
  });

  const TRACE_ID = `tr-${'ab'.repeat(16)}`;
  it("stops a trace write, retries and backoff included, when the caller's signal aborts", async () => {
    const s = await stub((_req, _b, res) => {
      res.statusCode = 503; // retried after a backoff far longer than the test
      res.end();
    });
    const store = mlflowServerStore({
      trackingUri: s.url,
      env: false,
      retries: 5,
      retryBaseDelayMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the flush budget ran out')), 200);
    const t0 = performance.now();
    const err = await store
      .logSpans('0', [], { signal: controller.signal })
      .then(() => store.startTrace(makeTraceInfo('0', TRACE_ID), { signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(err).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/stopped waiting: the flush budget ran out/),
    });
    expect(s.requests).toHaveLength(1);
  });

  it('says which endpoint is missing on a server too old for graphtrace', async () => {
    const s = await stub((_req, _b, res) => {
      res.statusCode = 404;
      res.end('<html>Not Found</html>');
    });
    await expect(
      mlflowServerStore({ trackingUri: s.url, env: false }).searchTraces({ experimentIds: ['0'] }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/MLflow server 3\.9 or later/) });
  });

  it('refuses URIs that are not http(s), and half-given basic auth', () => {
    expect(() => mlflowServerStore({ trackingUri: 'sqlite:///mlflow.db', env: false })).toThrow(
      /sqliteStore/,
    );
    expect(() => mlflowServerStore({ trackingUri: 'http://x', username: 'a', env: false })).toThrow(
      /both/,
    );
  });
});

describe('server store over TLS (a self-signed loopback server)', () => {
  const tmp = tempDir('tls');
  const key = join(tmp.dir, 'key.pem');
  const cert = join(tmp.dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );

  async function tlsStub(): Promise<Stub> {
    const requests: Stub['requests'] = [];
    return listen(
      createHttpsServer(
        { key: readFileSync(key), cert: readFileSync(cert) },
        handlerWith(requests, ok),
      ) as unknown as Server,
      'https',
      requests,
    );
  }

  it('fails with TLS_ERROR and the options to fix it when the certificate is not trusted (no retries)', async () => {
    const s = await tlsStub();
    const untrusted = new MlflowServerStore({ trackingUri: s.url, env: false });
    expect((await untrusted.reachable(2000)).ok).toBe(false);
    await untrusted.close();
    await expect(
      mlflowServerStore({ trackingUri: s.url, env: false }).getExperiment('0'),
    ).rejects.toMatchObject({
      code: 'TLS_ERROR',
      message: expect.stringMatching(/caBundle.*MLFLOW_TRACKING_SERVER_CERT_PATH.*insecureTls/s),
    });
  });

  it('trusts a CA bundle given as a path, as PEM text, or from MLFLOW_TRACKING_SERVER_CERT_PATH', async () => {
    const s = await tlsStub();
    for (const store of [
      new MlflowServerStore({ trackingUri: s.url, caBundle: cert, env: false }),
      new MlflowServerStore({
        trackingUri: s.url,
        caBundle: readFileSync(cert, 'utf8'),
        env: false,
      }),
      new MlflowServerStore({
        trackingUri: s.url,
        env: { MLFLOW_TRACKING_SERVER_CERT_PATH: cert },
      }),
    ]) {
      expect((await store.getExperiment('0'))?.name).toBe('Default');
      // The start-up check trusts the same CA (or the fallback store would be chosen).
      expect(await store.reachable(2000)).toMatchObject({ ok: true });
      await store.close();
    }
  });

  it('skips verification with insecureTls or MLFLOW_TRACKING_INSECURE_TLS=true', async () => {
    const s = await tlsStub();
    for (const store of [
      new MlflowServerStore({ trackingUri: s.url, insecureTls: true, env: false }),
      new MlflowServerStore({ trackingUri: s.url, env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' } }),
    ]) {
      expect((await store.getExperiment('0'))?.name).toBe('Default');
      expect(await store.reachable(2000)).toMatchObject({ ok: true });
      await store.close();
    }
    tmp.remove();
  });
});

describe('splitLogBatch', () => {
  it('keeps every request within MLflow limits and loses nothing', () => {
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    const tags = Array.from({ length: 130 }, (_, i) => ({ key: `t${i}`, value: 'x'.repeat(7000) }));
    const metrics = Array.from({ length: 2600 }, (_, i) => ({
      key: 'm',
      value: i,
      timestamp: i,
      step: i,
    }));
    const chunks = splitLogBatch({ params, tags, metrics });
    for (const c of chunks) {
      expect(c.params.length).toBeLessThanOrEqual(100);
      expect(c.tags.length).toBeLessThanOrEqual(100);
      expect(c.metrics.length).toBeLessThanOrEqual(1000);
      expect(c.params.length + c.tags.length + c.metrics.length).toBeLessThanOrEqual(1000);
      expect(JSON.stringify(c).length).toBeLessThan(1_000_000);
    }
    expect(chunks.flatMap((c) => c.params)).toEqual(params);
    expect(chunks.flatMap((c) => c.tags)).toEqual(tags);
    expect(chunks.flatMap((c) => c.metrics)).toEqual(metrics);
    // Params come first, so a write-once conflict is refused before other values are logged.
    expect(chunks[0]!.params.length).toBe(100);
  });
});
