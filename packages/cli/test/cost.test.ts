import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { type SeededCost, seedCostSqlite } from './helpers/seed-cost.js';

const dir = tempDir('graphtrace-cli-cost-');
let s: SeededCost;
const run = (...args: string[]) =>
  graphtrace(['--tracking-uri', s.uri, ...args], { cwd: dir.path });

// What core's catalog charges for 1,000 input and 500 output gpt-4o-mini tokens.
const PRICED = { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 };

beforeAll(async () => {
  s = await seedCostSqlite(dir.path);
});
afterAll(() => dir.remove());

describe('traces ls', () => {
  it('has a COST column: the total of a priced trace, `-` for an unpriced one', async () => {
    const r = await run('traces', 'ls');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/\sTOKENS\s+COST\s+EXPERIMENT\s/);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${s.pricedTraceId}\\s+priced\\s+OK\\s.*\\s1,500\\s+\\$0\\.00045\\s+cost-exp\\s`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(`^${s.unpricedTraceId}\\s+unpriced\\s+OK\\s.*\\s1,500\\s+-\\s+cost-exp\\s`, 'm'),
    );
    expect(lines.find((l) => l.startsWith(s.unpricedTraceId))).not.toContain('$');
  });

  it('--json: each trace has `cost`, null when no model has a price', async () => {
    const r = json(await run('traces', 'ls', '--json'));
    const byId = new Map(r.traces.map((t: any) => [t.trace_id, t]));
    expect((byId.get(s.pricedTraceId) as any).cost).toEqual(PRICED);
    const unpriced = byId.get(s.unpricedTraceId) as any;
    expect(unpriced.cost).toBeNull();
    expect(unpriced.trace_metadata).not.toHaveProperty('mlflow.trace.cost');
  });
});

describe('traces show', () => {
  it('prints the cost in the header and beside the model span', async () => {
    const r = await run('traces', 'show', s.pricedTraceId);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cost\s+\$0\.00015 in \/ \$0\.0003 out \(\$0\.00045 total\)$/m);
    const tree = r.stdout.split('\n').filter((l) => /▕.*▏|^SPAN/.test(l));
    expect(tree[0]).toMatch(/\sTOKENS\s+COST$/);
    expect(tree[1]).toMatch(/^priced\s+AGENT\s.*▏$/);
    expect(tree[2]).toMatch(/^└─ chat\s+CHAT_MODEL\s.*▏\s+1,000 in \/ 500 out\s+\$0\.00045$/);
  });

  it('shows an unpriced trace without any dollar figure', async () => {
    const r = await run('traces', 'show', s.unpricedTraceId);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tokens\s+1,000 in \/ 500 out \(1,500 total\)\ncost\s+-$/m);
    expect(r.stdout).not.toContain('$');
    expect(r.stdout).not.toMatch(/COST/);
  });

  it('--json: the trace and its model span have `cost`; spans name their model and provider', async () => {
    const priced = json(await run('traces', 'show', s.pricedTraceId, '--json'));
    expect(priced.info.cost).toEqual(PRICED);
    expect(priced.spans.map((x: any) => [x.name, x.model, x.provider, x.cost])).toEqual([
      ['priced', null, null, null],
      ['chat', 'gpt-4o-mini', 'openai', PRICED],
    ]);
    const unpriced = json(await run('traces', 'show', s.unpricedTraceId, '--json'));
    expect(unpriced.info.cost).toBeNull();
    expect(unpriced.spans[1]).toMatchObject({
      model: 'no-such-model-7',
      provider: 'acme',
      cost: null,
    });
  });

  it("export keeps MLflow's TraceInfo: cost stays in the metadata only", async () => {
    const r = await run('traces', 'export', s.pricedTraceId);
    const info = JSON.parse(r.stdout).info;
    expect(info).not.toHaveProperty('cost');
    expect(JSON.parse(info.trace_metadata['mlflow.trace.cost'])).toEqual(PRICED);
  });
});

describe('runs show', () => {
  it("lists the run's cost metrics, summed over its priced traces only", async () => {
    const r = await run('runs', 'show', s.runId);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agent\.total_cost_usd\s+0\.00045\s/m);
    expect(r.stdout).toMatch(/^agent\.input_cost_usd\s+0\.00015\s/m);
    expect(r.stdout).toMatch(/^agent\.output_cost_usd\s+0\.0003\s/m);
    expect(r.stdout).toMatch(/^agent\.priced_traces\s+1\s/m);
    expect(r.stdout).toMatch(/^agent\.traces\s+2\s/m);
  });
});
