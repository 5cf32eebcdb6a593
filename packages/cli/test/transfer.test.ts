import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { type Seeded, seedSqlite } from './helpers/seed.js';

const root = tempDir();
afterAll(() => root.remove());

describe('sync between stores', () => {
  const dir = join(root.path, 'copy');
  let s: Seeded;
  beforeAll(async () => {
    mkdirSync(dir);
    s = await seedSqlite(dir, 'source.db');
  });
  const run = (...args: string[]) => graphtrace(args, { cwd: dir });

  it('copies experiments, runs (params, metric history, tags) and traces, then nothing the second time', async () => {
    const first = json(
      await run('sync', '--from', 'sqlite:///source.db', '--to', 'sqlite:///copy.db', '--json'),
    );
    expect(first).toMatchObject({
      mode: 'copy',
      experiments: { created: 1, existing: 1 },
      runs: { copied: 1, existing: 0 },
      traces: { copied: 2, existing: 0 },
      skipped: [],
    });
    const second = await run('sync', '--from', 'sqlite:///source.db', '--to', 'sqlite:///copy.db');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^runs\s+0 copied, 1 already there$/m);
    expect(second.stdout).toMatch(/^traces\s+0 copied, 2 already there$/m);

    const at = (uri: string, ...args: string[]) => run('--tracking-uri', uri, ...args);
    const [a, b] = await Promise.all([
      at('sqlite:///source.db', 'runs', 'show', s.runId, '--json'),
      at('sqlite:///copy.db', 'runs', 'show', s.runId, '--json'),
    ]);
    const ra = json(a);
    const rb = json(b);
    expect(rb.metric_history).toEqual(ra.metric_history);
    expect(rb.run.data).toEqual(ra.run.data);
    expect(rb.run.info).toMatchObject({
      run_id: s.runId,
      status: 'FINISHED',
      start_time: ra.run.info.start_time,
      end_time: ra.run.info.end_time,
    });
    const [ta, tb] = await Promise.all([
      at('sqlite:///source.db', 'traces', 'export', s.okTraceId),
      at('sqlite:///copy.db', 'traces', 'export', s.okTraceId),
    ]);
    const xa = JSON.parse(ta.stdout);
    const xb = JSON.parse(tb.stdout);
    expect(xb.data.spans).toEqual(xa.data.spans);
    expect(xb.info.trace_metadata).toEqual(xa.info.trace_metadata);
    expect(xb.info.tags['mlflow.traceName']).toBe('answer');
    const [fa, fb] = await Promise.all([
      at('sqlite:///source.db', 'traces', 'show', s.okTraceId, '--json'),
      at('sqlite:///copy.db', 'traces', 'show', s.okTraceId, '--json'),
    ]);
    expect(json(fb).assessments).toEqual(json(fa).assessments);
    expect(json(fb).assessments).toHaveLength(1);
  });

  it('--experiment copies only the experiments named', async () => {
    const r = json(
      await run(
        'sync',
        '--from',
        'sqlite:///source.db',
        '--to',
        'sqlite:///only.db',
        '--experiment',
        'Default',
        '--json',
      ),
    );
    expect(r.runs.copied + r.traces.copied).toBe(0);
    expect(r.experiments).toEqual({ created: 0, existing: 1 });
  });

  it('refuses the same store on both sides and bad URIs (exit 2)', async () => {
    const same = await run(
      'sync',
      '--from',
      'sqlite:///source.db',
      '--to',
      `sqlite:///${join(dir, 'source.db')}`,
    );
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--from and --to name the same store/);
    const legacy = await run('sync', '--from', 'file:///tmp/mlruns');
    expect(legacy.code).toBe(2);
    expect(legacy.stderr).toMatch(
      /--from: .* is an MLflow FileStore; import it with `graphtrace import mlruns <dir>`/,
    );
    const badTo = await run('sync', '--from', 'sqlite:///source.db', '--to', 'sqlite://host/x.db');
    expect(badTo.code).toBe(2);
    expect(badTo.stderr).toMatch(/^graphtrace: error: --to: /);
  });

  it('fails at once, before copying anything, when the target server does not answer (exit 1)', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await run(
      'sync',
      '--from',
      'sqlite:///source.db',
      '--to',
      `http://127.0.0.1:${port}`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^graphtrace: error: --to: cannot reach the MLflow server http:\/\/127\.0\.0\.1:\d+ \(.*\); start it or check the URI, then run again\n$/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('sync --from spool', () => {
  const dir = join(root.path, 'spool');
  const t0 = 1_700_000_000_000n * 1_000_000n;
  beforeAll(async () => {
    mkdirSync(join(dir, '.graphtrace'), { recursive: true });
    const spool = sqliteStore({ path: join(dir, '.graphtrace', 'spool.db') });
    const exp = await spool.getOrCreateExperiment('agent');
    for (let n = 1; n <= 30; n++) {
      const traceId = `tr-${n.toString(16).padStart(32, '0')}`;
      await spool.logSpans(exp.experimentId, [
        {
          traceId,
          spanId: n.toString(16).padStart(16, '0'),
          parentSpanId: null,
          name: `call-${n}`,
          spanType: 'AGENT',
          startTimeUnixNano: t0 + BigInt(n) * 1_000_000_000n,
          endTimeUnixNano: t0 + BigInt(n) * 1_000_000_000n + 5_000_000n,
          status: { code: 'OK' },
          attributes: { 'mlflow.spanInputs': { n } },
          events: [],
        },
      ]);
      await spool.startTrace({
        traceId,
        clientRequestId: null,
        experimentId: exp.experimentId,
        requestTime: 1_700_000_000_000 + n * 1000,
        executionDuration: 5,
        state: 'OK',
        requestPreview: JSON.stringify({ n }),
        responsePreview: null,
        traceMetadata: { 'mlflow.trace_schema.version': '3' },
        tags: { 'mlflow.traceName': `call-${n}` },
      });
    }
    await spool.close();
  });

  it('moves every spooled trace into the target and empties the spool; a second run has nothing to do', async () => {
    const r = await graphtrace(['sync', '--to', 'sqlite:///server-stand-in.db', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({
      mode: 'spool',
      traces: { copied: 30, existing: 0 },
      spans: 30,
      failed: [],
      remaining: 0,
    });
    const target = json(
      await graphtrace(
        [
          '--tracking-uri',
          'sqlite:///server-stand-in.db',
          'traces',
          'ls',
          '--experiment',
          'agent',
          '--json',
        ],
        { cwd: dir },
      ),
    );
    expect(target.traces).toHaveLength(30);
    expect(target.traces[0].tags['mlflow.traceName']).toBe('call-30');
    const left = json(
      await graphtrace(
        ['--tracking-uri', 'sqlite:///.graphtrace/spool.db', 'traces', 'ls', '--json'],
        { cwd: dir },
      ),
    );
    expect(left.traces).toEqual([]);
    const again = await graphtrace(['sync', '--to', 'sqlite:///server-stand-in.db'], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^traces\s+0 copied, 0 already there$/m);
  });
});

describe('sync without a spool', () => {
  it('says so when there is no spool', async () => {
    const empty = join(root.path, 'no-spool');
    mkdirSync(empty);
    const r = await graphtrace(['sync'], { cwd: empty });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no spool at .graphtrace/spool.db: nothing to replay\n');
    expect(existsSync(join(empty, 'mlflow.db'))).toBe(false);
  });
});
