import { describe, expect, it } from 'vitest';
import { secretKeyTest, toJsonSafe } from '../src/index.js';
import { setup } from './helpers.js';

const opts = (maxChars = 100_000, extra: string[] = []) => ({
  maxChars,
  isSecretKey: secretKeyTest(extra),
});

describe('privacy and volume controls', () => {
  it('masks secret keys (not token counters) and secret-looking text', () => {
    const out = toJsonSafe(
      {
        api_key: 'abc',
        OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwx',
        headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz', 'x-api-key': 'k' },
        password: 'hunter2',
        db: { passwd: 'x', secret: 'y', github_token: 'z' },
        usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11, max_tokens: 100 },
        note: 'my key is sk-abcdefghijklmnopqrstuvwxyz123 ok',
        customer_ssn: '123-45-6789',
      },
      opts(100_000, ['ssn$']),
    );
    expect(out).toEqual({
      api_key: '[REDACTED]',
      OPENAI_API_KEY: '[REDACTED]',
      headers: { Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' },
      password: '[REDACTED]',
      db: { passwd: '[REDACTED]', secret: '[REDACTED]', github_token: '[REDACTED]' },
      usage: { input_tokens: 5, output_tokens: 6, total_tokens: 11, max_tokens: 100 },
      note: 'my key is [REDACTED] ok',
      customer_ssn: '[REDACTED]',
    });
  });

  it('serialises values that are not JSON safely', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const err = new Error('kaput', { cause: new Error('root cause') });
    const out = toJsonSafe(
      {
        circular,
        big: 12345678901234567890n,
        fn: function named() {},
        arrow: () => 1,
        err,
        map: new Map<unknown, unknown>([
          ['a', 1],
          [2, { b: true }],
        ]),
        set: new Set([1, 2]),
        date: new Date('2026-01-28T00:00:00Z'),
        bytes: new Uint8Array(16),
        undef: undefined,
        nan: Number.NaN,
        sym: Symbol('s'),
      },
      opts(),
    ) as Record<string, any>;
    expect(out.circular).toEqual({ name: 'loop', self: '[Circular]' });
    expect(out.big).toBe('12345678901234567890');
    expect(out.fn).toBe('[Function named]');
    expect(out.arrow).toBe('[Function arrow]');
    expect(out.err).toMatchObject({
      name: 'Error',
      message: 'kaput',
      cause: { message: 'root cause' },
    });
    expect(out.err.stack).toContain('kaput');
    expect(out.map).toEqual({ a: 1, '2': { b: true } });
    expect(out.set).toEqual([1, 2]);
    expect(out.date).toBe('2026-01-28T00:00:00.000Z');
    expect(out.bytes).toBe('[Uint8Array 16 bytes]');
    expect('undef' in out).toBe(false);
    expect(out.nan).toBe('NaN');
    expect(out.sym).toBe('Symbol(s)');
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('keeps a __proto__ key as data and class instances as their own fields', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const out = toJsonSafe(parsed, opts()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"ok":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    class Point {
      constructor(
        public x: number,
        public token: string,
      ) {}
    }
    expect(toJsonSafe({ p: new Point(1, 't') }, opts())).toEqual({
      p: { x: 1, token: '[REDACTED]' },
    });
  });

  it('truncates oversized values with a visible marker and keeps valid JSON', () => {
    const long = toJsonSafe('x'.repeat(5000), opts(1000)) as string;
    expect(long.length).toBeLessThan(1100);
    expect(long).toMatch(/…\[truncated 40\d\d chars\]$/);
    const many = toJsonSafe(
      Array.from({ length: 10_000 }, (_, i) => i),
      opts(1000),
    ) as unknown[];
    expect(many.length).toBeLessThan(200);
    expect(String(many[many.length - 1])).toMatch(/…\[truncated \d+ items\]/);
    const wide = toJsonSafe(
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
      opts(1000),
    ) as Record<string, unknown>;
    expect(String(wide['…'])).toMatch(/truncated \d+ keys/);
  });

  it('log_prompts false: no inputs, outputs or previews, but names, timings and usage', async () => {
    const { tracker, traces, spansOf } = setup({ logPrompts: false });
    await tracker.withSpan({ name: 'root', inputs: { secret_question: 'who?' } }, async () => {
      await tracker.withSpan({ name: 'llm', spanType: 'CHAT_MODEL' }, (s) => {
        s.setInputs([{ role: 'user', content: 'private' }]);
        s.setAttribute('mlflow.chat.tokenUsage', {
          input_tokens: 3,
          output_tokens: 4,
          total_tokens: 7,
        });
        return 'private answer';
      });
      return 'result';
    });
    const [t] = await traces();
    expect(t!.requestPreview).toBeNull();
    expect(t!.responsePreview).toBeNull();
    expect(t!.traceMetadata['mlflow.traceInputs']).toBeUndefined();
    expect(t!.traceMetadata['mlflow.trace.tokenUsage']).toBe(
      '{"input_tokens":3,"output_tokens":4,"total_tokens":7}',
    );
    const spans = await spansOf(t!.traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['llm', 'root']);
    for (const s of spans) {
      expect(s.attributes['mlflow.spanInputs']).toBeUndefined();
      expect(s.attributes['mlflow.spanOutputs']).toBeUndefined();
    }
    expect(JSON.stringify(spans, (_, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      'private',
    );
  });

  it('masks secrets in span inputs, run params and tags', async () => {
    const { tracker, traces, spansOf, store } = setup({ redact: ['^internal_'] });
    tracker.withSpan(
      { name: 'call', inputs: { apiKey: 'abc', internal_id: 7, query: 'hi' } },
      () => 1,
    );
    const [t] = await traces();
    const [span] = await spansOf(t!.traceId);
    expect(span!.attributes['mlflow.spanInputs']).toEqual({
      apiKey: '[REDACTED]',
      internal_id: '[REDACTED]',
      query: 'hi',
    });
    const run = await tracker.startRun({
      params: { password: 'p', lr: 0.1, config: { token: 't', depth: 2 } },
    });
    await tracker.setTags({ auth_token: 'x', team: 'a' });
    const got = await store.getRun(run.runId);
    expect(got!.data.params).toMatchObject({
      password: '[REDACTED]',
      lr: '0.1',
      config: '{"token":"[REDACTED]","depth":2}',
    });
    expect(got!.data.tags).toMatchObject({ auth_token: '[REDACTED]', team: 'a' });
  });
});

describe('secrets in every place a value is kept', () => {
  const slack = `xoxb-${'1234567890'}-${'abcdefghijkl'}`;
  const stripe = `sk_live_${'a1B2c3D4e5F6g7H8i9J0'}`;
  const hf = `hf_${'AbCdEfGhIjKlMnOpQrStUvWxYz0123456'}`;
  const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'}`;
  const openai = `sk-proj-${'abcdefghijklmnopqrstuvwxyz'}`;

  it('masks provider key shapes, keyed pairs in text, URL passwords and header pairs', () => {
    const out = toJsonSafe(
      {
        slack,
        stripe,
        hf,
        jwt,
        url: 'https://api.example.com/v1?api_key=abc123def&page=2',
        query: 'GET /x?token=t0k3nvalue&q=1',
        dsn: 'postgresql://app:hunter2secret@db:5432/prod',
        conn: 'Server=db;User Id=app;Password=hunter2secret;',
        json: '{"model": "gpt-4o", "api_key": "abc123def456"}',
        headers: [
          ['Authorization', 'Basic dXNlcjpwYXNz'],
          ['Accept', 'text/plain'],
        ],
        openaiKey: 'anything',
        primaryKey: 'id',
        usage: { input_tokens: 1, max_tokens: 2 },
        // Kept masked as before.
        OPENAI_API_KEY: openai,
        aws: 'AKIAABCDEFGHIJKLMNOP',
        github: `ghp_${'a'.repeat(36)}`,
        google: `AIza${'b'.repeat(35)}`,
        anthropic: `sk-ant-${'c'.repeat(30)}`,
        cookie: 'session=abc',
      },
      opts(),
    ) as Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const secret of [
      slack,
      stripe,
      hf,
      jwt,
      'abc123def',
      't0k3nvalue',
      'hunter2secret',
      'abc123def456',
      'dXNlcjpwYXNz',
      'anything',
      openai,
      'AKIAABCDEFGHIJKLMNOP',
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
      'cccccccccccccccc',
      'session=abc',
    ])
      expect(text, secret).not.toContain(secret);
    expect(out.url).toBe('https://api.example.com/v1?api_key=[REDACTED]&page=2');
    expect(out.dsn).toBe('postgresql://app:[REDACTED]@db:5432/prod');
    expect(out.json).toBe('{"model": "gpt-4o", "api_key": "[REDACTED]"}');
    expect(out.headers).toEqual([
      ['Authorization', '[REDACTED]'],
      ['Accept', 'text/plain'],
    ]);
    expect(out.primaryKey).toBe('id');
    expect(out.usage).toEqual({ input_tokens: 1, max_tokens: 2 });
  });

  it('masks span names, status and exception messages, params and feedback rationale', async () => {
    const { tracker, store, traces } = setup();
    try {
      await tracker.withSpan({ name: `call ${openai}` }, async (span) => {
        span.setStatus('ERROR', `Bearer ${'z'.repeat(30)}`);
        throw new Error(`request failed with key ${openai}`);
      });
    } catch {
      // the traced program's own error
    }
    const run = await tracker.startRun({ params: { cfg: '{"token": "s3cr3tvalue"}' } });
    await tracker.endRun();
    const [t] = await traces();
    await tracker.logFeedback({
      traceId: t!.traceId,
      name: 'ok',
      value: 1,
      rationale: `leaked ${stripe}`,
    });
    const trace = (await store.getTrace(t!.traceId))!;
    const text = JSON.stringify(
      {
        spans: trace.spans,
        info: trace.info,
        assessments: await store.getAssessments(t!.traceId),
        params: (await store.getRun(run.runId))!.data.params,
      },
      (_, v) => (typeof v === 'bigint' ? String(v) : v),
    );
    for (const secret of [openai, 'z'.repeat(30), stripe, 's3cr3tvalue'])
      expect(text, secret).not.toContain(secret);
    expect(trace.spans[0]!.name).toBe('call [REDACTED]');
    await tracker.shutdown();
  });
});
