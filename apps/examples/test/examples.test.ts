import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTracker } from '@graphtrace/core';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { describe, expect, it } from 'vitest';
import { runExample } from './helpers.js';

const REACT_TREE = [
  /└─ docs_agent \[AGENT\]/,
  /search_docs \[TOOL\] .* OK/,
  /calculator \[TOOL\] .* OK/,
  /ScriptedChatModel \[CHAT_MODEL\] .* tokens \d+ in \/ \d+ out/,
];

describe('examples (each run as a user would, offline)', () => {
  it('1 quickstart: manual tracing and a run with params and metrics', () => {
    const r = runExample('quickstart');
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toContain(
      'answer: graphtrace writes MLflow 3.9 traces into sqlite:///mlflow.db. (grounded: true)',
    );
    expect(r.stdout).toMatch(
      /└─ ask \[AGENT\][\s\S]*retrieve \[RETRIEVER\][\s\S]*scripted-model \[CHAT_MODEL\] .* tokens 42 in \/ 12 out[\s\S]*check \[GUARDRAIL\]/,
    );
    expect(existsSync(join(r.cwd, 'mlflow.db'))).toBe(true);
  });

  it('2 main job: the ReAct agent traced by autolog into ./mlflow.db, with its tree, metrics and how to open it', async () => {
    const r = runExample('main');
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toContain(
      'answer (scripted model (offline)): graphtrace writes runs, metrics and traces into sqlite:///mlflow.db',
    );
    expect(r.stdout).toContain('6 × (3 + 4) = 42.');
    for (const re of REACT_TREE) expect(r.stdout).toMatch(re);
    expect(r.stdout).toMatch(/LLM calls 3, tool calls 2 \(errors 0\)/);
    // 90 input and 25 output tokens at the example's $0.15 / $0.60 per million.
    expect(r.stdout).toMatch(/^trace tr-[0-9a-f]{32} {2}OK {2}\d+ ms {2}cost \$0\.000029$/m);
    expect(r.stdout).toContain(
      'cost $0.000029 (in $0.000013 / out $0.000015) over 1 priced trace(s)',
    );
    expect(r.stdout).toContain(
      `graphtrace ui --tracking-uri sqlite:///${join(r.cwd, 'mlflow.db')}`,
    );
    expect(r.stdout).toContain(
      `mlflow ui --backend-store-uri sqlite:///${join(r.cwd, 'mlflow.db')}`,
    );
    // What it printed is what it stored.
    const store = sqliteStore({ path: join(r.cwd, 'mlflow.db'), readOnly: true });
    const tracker = createTracker({
      store,
      experimentName: 'graphtrace-examples',
      handleExitSignals: false,
    });
    const { items: runs } = await store.searchRuns({
      experimentIds: [await tracker.experimentId()],
    });
    expect(runs.map((x) => x.info.runName)).toEqual(['react-agent']);
    expect(runs[0]!.data.metrics.find((m) => m.key === 'agent.tool_calls')?.value).toBe(2);
    await store.close();
  });

  it('3 supervisor: two sub-agents as subgraphs, one trace per turn in one session', () => {
    const r = runExample('supervisor');
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toContain('agent: 12 * (7 + 5) = 144');
    expect(r.stdout).toMatch(/research_agent \[AGENT\]/);
    expect(r.stdout).toMatch(/math_agent \[AGENT\]/);
    // Each subgraph node is one span (the node), not a node span around a same-named graph span.
    expect(r.stdout).not.toMatch(/(math|research)_agent \[CHAIN\]/);
    expect(r.stdout).toContain('session session-42: 3 traces, one per turn');
  });

  it('4 config-driven: an MLflow 2.9-era YAML file migrated in memory, with a warning per change', () => {
    const r = runExample('config-driven');
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toMatch(
      /warning: .*legacy-config\.yaml:7:17: `tracking_uri: file:\/\/\.\/mlruns` is an MLflow FileStore/,
    );
    expect(r.stdout).toMatch(/warning: .*renamed `experiment` to `experiment_name`/);
    expect(r.stdout).toMatch(/warning: .*renamed `autolog` to `autolog_enabled`/);
    expect(r.stdout).toContain(
      'note: Import the runs of the old FileStore ./mlruns with: graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db',
    );
    expect(r.stdout).toContain(
      'effective: tracking_uri=sqlite:///mlflow.db experiment=docs-agent-legacy autolog=true tags={"team":"search"}',
    );
    for (const re of REACT_TREE) expect(r.stdout).toMatch(re);
  });

  it('5 fallback: an unreachable server, one warning, the run lands in SQLite', () => {
    const r = runExample('fallback');
    expect(r.status, r.out).toBe(0);
    const warnings = r.out.split('\n').filter((l) => l.startsWith('[graphtrace]'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/http:\/\/127\.0\.0\.1:9 is unreachable .*sqlite:\/\/\/mlflow\.db/);
    expect(r.stdout).toMatch(/its run and traces are in sqlite:\/\/\/.*mlflow\.db/);
    for (const re of REACT_TREE) expect(r.stdout).toMatch(re);
    expect(r.stdout).toContain(
      'when the server is back: graphtrace sync --from sqlite:///mlflow.db --to <server URL>',
    );
  });

  it('6 feedback: assessments logged on traces and read back', () => {
    const r = runExample('feedback');
    expect(r.status, r.out).toBe(0);
    expect(
      r.stdout.match(/feedback {4}helpful {10}true {2}\(HUMAN: answers both parts\)/g),
    ).toHaveLength(2);
    expect(r.stdout.match(/expectation expected_answer/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/answer_length_ok 2 assessment\(s\), mean 1\.00/);
  });
});
