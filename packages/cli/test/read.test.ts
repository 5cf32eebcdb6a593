import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { type Seeded, seedSqlite } from './helpers/seed.js';

const dir = tempDir();
let s: Seeded;
const run = (...args: string[]) => graphtrace(args, { cwd: dir.path });

beforeAll(async () => {
  s = await seedSqlite(dir.path);
});
afterAll(() => dir.remove());

describe('experiments ls', () => {
  it('lists experiments as an aligned table and as JSON', async () => {
    const table = await run('experiments', 'ls');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CREATED\s+ARTIFACT LOCATION$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[1])).toEqual(['Default', 'agent-exp']);
    // Aligned: every row's NAME starts in the header's NAME column.
    const col = lines[0]!.indexOf('NAME');
    for (const l of lines.slice(1)) expect(l[col - 1]).toBe(' ');
    const r = json(await run('experiments', 'ls', '--json'));
    expect(r.experiments.map((e: any) => e.name)).toEqual(['Default', 'agent-exp']);
    expect(Object.keys(r.experiments[1]).sort()).toEqual(
      [
        'artifact_location',
        'creation_time',
        'experiment_id',
        'last_update_time',
        'lifecycle_stage',
        'name',
        'tags',
      ].sort(),
    );
  });

  it('filters and orders with MLflow syntax, and points at the column of a mistake', async () => {
    const r = json(await run('experiments', 'ls', '--filter', "name LIKE 'agent%'", '--json'));
    expect(r.experiments.map((e: any) => e.name)).toEqual(['agent-exp']);
    const ordered = json(
      await run('experiments', 'ls', '--order-by', 'experiment_id DESC', '--json'),
    );
    expect(ordered.experiments.map((e: any) => e.experiment_id)).toEqual([s.experimentId, '0']);
    const bad = await run('experiments', 'ls', '--filter', "name = 'x' AND colour = 'red'");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^graphtrace: error: Invalid filter at column 16: unknown attribute `colour`/,
    );
  });
});

describe('runs', () => {
  it('runs ls: every experiment by default, MLflow filters, JSON in Run.to_dictionary() form', async () => {
    const r = json(await run('runs', 'ls', '--json'));
    expect(r.runs).toHaveLength(1);
    const only = r.runs[0];
    expect(only.info).toMatchObject({
      run_id: s.runId,
      run_name: 'nightly-eval',
      status: 'FINISHED',
      experiment_id: s.experimentId,
    });
    expect(only.data.params).toEqual({ model: 'gpt-4o-mini', temperature: '0.2' });
    expect(only.data.metrics).toEqual({ accuracy: 0.9 });
    expect(only.data.tags.team).toBe('search');
    const hit = json(
      await run(
        'runs',
        'ls',
        '--filter',
        'metrics.accuracy > 0.8',
        '--experiment',
        'agent-exp',
        '--json',
      ),
    );
    expect(hit.runs.map((x: any) => x.info.run_id)).toEqual([s.runId]);
    const miss = json(await run('runs', 'ls', '--filter', "params.model = 'other'", '--json'));
    expect(miss.runs).toEqual([]);
    const table = await run('runs', 'ls');
    expect(table.stdout).toMatch(
      new RegExp(
        `^${s.runId}\\s+nightly-eval\\s+FINISHED\\s+\\S+ \\S+\\s+\\d+ ms\\s+agent-exp$`,
        'm',
      ),
    );
  });

  it('runs ls --experiment names an unknown experiment: exit 1', async () => {
    const r = await run('runs', 'ls', '--experiment', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/experiment 'nope' not found .*graphtrace experiments ls/);
  });

  it('runs show: params, latest metrics with their history, tags', async () => {
    const r = json(await run('runs', 'show', s.runId, '--json'));
    expect(r.run.info.run_id).toBe(s.runId);
    expect(r.metric_history.accuracy.map((m: any) => [m.step, m.value])).toEqual([
      [0, 0.5],
      [1, 0.75],
      [2, 0.9],
    ]);
    const human = await run('runs', 'show', s.runId);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('experiment  agent-exp');
    expect(human.stdout).toMatch(/^accuracy\s+0\.9\s+2\s+3$/m);
    expect(human.stdout).toMatch(/^model\s+gpt-4o-mini$/m);
  });
});

describe('traces', () => {
  it('traces ls: newest first, filters by state, JSON in TraceInfo.to_dict() form', async () => {
    const r = json(await run('traces', 'ls', '--json'));
    expect(r.traces.map((t: any) => t.trace_id)).toEqual([s.errorTraceId, s.okTraceId]);
    const ok = r.traces[1];
    expect(ok).toMatchObject({
      trace_id: s.okTraceId,
      state: 'OK',
      trace_location: {
        type: 'MLFLOW_EXPERIMENT',
        mlflow_experiment: { experiment_id: s.experimentId },
      },
    });
    expect(ok.request_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    expect(typeof ok.execution_duration_ms).toBe('number');
    expect(JSON.parse(ok.trace_metadata['mlflow.trace.tokenUsage'])).toEqual({
      input_tokens: 120,
      output_tokens: 30,
      total_tokens: 150,
    });
    const errors = json(
      await run('traces', 'ls', '--filter', "attributes.status = 'ERROR'", '--json'),
    );
    expect(errors.traces.map((t: any) => t.trace_id)).toEqual([s.errorTraceId]);
    const limited = json(
      await run('traces', 'ls', '--limit', '1', '--order-by', 'timestamp_ms ASC', '--json'),
    );
    expect(limited.traces.map((t: any) => t.trace_id)).toEqual([s.okTraceId]);
    const table = await run('traces', 'ls');
    expect(table.stdout).toMatch(
      // No model here has a price: COST is `-`, never $0.
      new RegExp(`^${s.okTraceId}\\s+answer\\s+OK\\s.*\\s150\\s+-\\s+agent-exp`, 'm'),
    );
  });

  it('traces show: the span tree with types, durations, timing bars, tokens and errors', async () => {
    const ok = await run('traces', 'show', s.okTraceId);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('tokens      120 in / 30 out (150 total)');
    expect(ok.stdout).toContain('experiment  agent-exp');
    const tree = ok.stdout.split('\n').filter((l) => /▕.*▏/.test(l));
    expect(tree).toHaveLength(3);
    expect(tree[0]).toMatch(/^answer\s+AGENT\s+\d+(\.\d+)? ms\s+▕█+▏$/);
    expect(tree[1]).toMatch(
      /^├─ chat\s+CHAT_MODEL\s+\d+(\.\d+)? ms\s+▕ *█+ *▏\s+120 in \/ 30 out$/,
    );
    expect(tree[2]).toMatch(/^└─ calculator\s+TOOL\s+/);
    // The root spans the whole bar; children start after it and the tool after the model.
    const bar = (l: string) => l.slice(l.indexOf('▕') + 1, l.indexOf('▏'));
    expect(bar(tree[0]!)).not.toContain(' ');
    expect(bar(tree[2]!).indexOf('█')).toBeGreaterThan(bar(tree[1]!).indexOf('█'));
    expect(ok.stdout).toMatch(
      /^Assessments \(1\)\nNAME\s+VALUE\s+SOURCE\s+RATIONALE\ncorrect\s+true\s+HUMAN \S+\s+6 x 7 is 42$/m,
    );
    const failed = await run('traces', 'show', s.errorTraceId);
    expect(failed.stdout).toMatch(/^└─ calculator\s+TOOL.*✗ Error: division by zero$/m);
  });

  it('traces show --json: decoded spans in tree order with depth, token usage and status', async () => {
    const r = json(await run('traces', 'show', s.okTraceId, '--json'));
    expect(r.info.trace_id).toBe(s.okTraceId);
    expect(r.spans.map((x: any) => [x.name, x.span_type, x.depth])).toEqual([
      ['answer', 'AGENT', 0],
      ['chat', 'CHAT_MODEL', 1],
      ['calculator', 'TOOL', 1],
    ]);
    expect(r.spans[1].token_usage).toEqual({
      input_tokens: 120,
      output_tokens: 30,
      total_tokens: 150,
    });
    expect(r.spans[0].inputs).toEqual({ question: 'What is 6 x 7?' });
    expect(r.spans[0].start_time_unix_nano).toMatch(/^\d{19}$/);
    expect(r.spans[2].parent_span_id).toBe(r.spans[0].span_id);
    expect(r.assessments).toEqual([
      expect.objectContaining({
        name: 'correct',
        kind: 'feedback',
        value: true,
        rationale: '6 x 7 is 42',
      }),
    ]);
  });

  it('traces export: MLflow trace JSON, one per line, to stdout or --out', async () => {
    const out = await run('traces', 'export', s.okTraceId, s.errorTraceId);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)).toEqual(['info', 'data']);
    expect(first.info.trace_id).toBe(s.okTraceId);
    expect(first.data.spans).toHaveLength(3);
    // MLflow's span JSON: base64 ids, JSON-encoded attribute values, integer ns times.
    expect(first.data.spans[0].attributes['mlflow.traceRequestId']).toBe(
      JSON.stringify(s.okTraceId),
    );
    expect(lines[0]).toMatch(/"start_time_unix_nano":\d{19},/);
    const file = await run('traces', 'export', s.errorTraceId, '--out', 'one.json');
    expect(file.code).toBe(0);
    expect(file.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir.path, 'one.json'), 'utf8')).info.state).toBe('ERROR');
    const missing = await run(
      'traces',
      'export',
      s.okTraceId,
      'tr-ffffffffffffffffffffffffffffffff',
      '--out',
      'none.json',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/trace 'tr-f{32}' not found/);
    expect(existsSync(join(dir.path, 'none.json'))).toBe(false);
  });

  it('traces rm: needs --yes off a terminal, deletes nothing when one id is unknown', async () => {
    const refused = await run('traces', 'rm', s.errorTraceId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to delete 1 trace without confirmation: .*pass --yes/);
    const partial = await run(
      'traces',
      'rm',
      s.errorTraceId,
      'tr-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
      '--yes',
    );
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/nothing was deleted/);
    expect((await run('traces', 'show', s.errorTraceId)).code).toBe(0);
    const done = json(await run('traces', 'rm', s.errorTraceId, '--yes', '--json'));
    expect(done).toEqual({ deleted: 1, trace_ids: [s.errorTraceId] });
    expect((await run('traces', 'show', s.errorTraceId)).code).toBe(1);
  });
});
