import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, silentLogger } from '@graphtrace/core';
import {
  describeInteropVersions,
  INTEROP_SETUP_TIMEOUT_MS,
  INTEROP_TEST_TIMEOUT_MS,
  MLFLOW_OLDEST,
  mlflowDbUpgrade,
  runPythonJson,
  sqliteUri,
} from '@graphtrace/mlflow-testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MLFLOW_REVISIONS,
  openSchema,
  resolveSchemaRevision,
  sqliteStore,
  upgradeDatabase,
} from '../src/index.js';
import { expectSameMaster, masterOf, oldGraphtraceFile } from './helpers.js';

/** Every row of every table, in a stable order, for comparing two files' data. */
function data(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    const out: Record<string, unknown[]> = {};
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    for (const t of tables.sort()) {
      out[t] = (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])
        .map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))
        .sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/** A traced agent run written by graphtrace into a new file of a schema version. */
async function graphtraceData(path: string, schemaVersion?: string): Promise<void> {
  const store = sqliteStore({ path, ...(schemaVersion ? { schemaVersion } : {}) });
  const tracker = createTracker({
    store,
    experimentName: 'upgrade-me',
    logger: silentLogger,
    handleExitSignals: false,
  });
  await tracker.withRun(
    async () => {
      await tracker.logParams({ model: 'm' });
      await tracker.logMetrics({ loss: 0.5 }, { step: 1 });
      for (const session of ['a', 'b']) {
        let traceId = '';
        await tracker.withSpan({ name: `agent-${session}`, spanType: 'AGENT' }, async (root) => {
          traceId = root.traceId;
          tracker.updateCurrentTrace({ session, user: 'ada', tags: { env: 'test' } });
          tracker.withSpan(
            {
              name: 'llm',
              spanType: 'CHAT_MODEL',
              attributes: {
                'mlflow.chat.tokenUsage': { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
                'mlflow.llm.model': 'gpt-4o-mini',
                'mlflow.llm.provider': 'openai',
                'mlflow.llm.cost': { input_cost: 0.1, output_cost: 0.2, total_cost: 0.3 },
              },
            },
            () => {},
          );
        });
        await tracker.flushTraces();
        await tracker.logFeedback({
          traceId,
          name: 'helpful',
          value: session === 'a' ? 'yes' : 0.5,
          source: { sourceType: 'HUMAN', sourceId: 'ada' },
        });
      }
    },
    { runName: 'run' },
  );
  await tracker.shutdown();
  await store.close();
}

/**
 * `graphtrace db upgrade` against `mlflow db upgrade` of the same release on copies of the same
 * file: the same sqlite_master text and the same rows.
 */
describeInteropVersions('upgrading a file: graphtrace against mlflow db upgrade', ({ version }) => {
  let dir: string;
  const target = resolveSchemaRevision(version)!;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'interop-upgrade-'));
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function compare(source: string): Promise<void> {
    const theirs = join(dir, 'theirs.db');
    const ours = join(dir, 'ours.db');
    await copyFile(source, theirs);
    await copyFile(source, ours);
    const r = await mlflowDbUpgrade(sqliteUri(theirs), { mlflowVersion: version });
    expect(r.code, r.stderr).toBe(0);
    const result = await upgradeDatabase(ours, { to: version, backup: false });
    expect(result.to).toBe(target);
    expectSameMaster(masterOf(ours), masterOf(theirs));
    expect(data(ours)).toEqual(data(theirs));
  }

  it(
    'gives the same schema and rows for a file graphtrace wrote at MLflow 3.9’s schema',
    async () => {
      const source = join(dir, 'graphtrace-3.9.db');
      await graphtraceData(source);
      await compare(source);
    },
    INTEROP_TEST_TIMEOUT_MS,
  );

  // From 3.13 on, a file in 3.10–3.16's layout (span metrics) has rows to move as well.
  if (MLFLOW_REVISIONS.indexOf(target) > MLFLOW_REVISIONS.indexOf(resolveSchemaRevision('3.13')!))
    it(
      'gives the same schema and rows for a file graphtrace wrote at MLflow 3.13’s schema',
      async () => {
        const source = join(dir, 'graphtrace-3.13.db');
        await graphtraceData(source, '3.13');
        await compare(source);
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

  // Files of graphtrace 0.1.0 spelt constraints `constraint "fk_…"`: MLflow 3.15+'s upgrade could
  // not find them and stopped half-way (at c3d9e7f1a2b4), stranding the file.
  if (MLFLOW_REVISIONS.indexOf(target) >= MLFLOW_REVISIONS.indexOf('6f8d9c3b2a1e'))
    it(
      'rescues a file MLflow stranded half-way: graphtrace reads it and finishes the upgrade',
      async () => {
        const source = join(dir, 'graphtrace-0.1.0.db');
        oldGraphtraceFile(source);
        await graphtraceData(source);
        const stranded = await mlflowDbUpgrade(sqliteUri(source), { mlflowVersion: version });
        expect(stranded.code).not.toBe(0);
        expect(stranded.stderr).toContain("No such constraint: 'fk_trace_info_experiment_id'");
        const store = sqliteStore({ path: source, traceWriter: 'inline' });
        const exp = (await store.getExperimentByName('upgrade-me'))!.experimentId;
        expect((await store.searchTraces({ experimentIds: [exp] })).items).toHaveLength(2);
        await store.close();
        const r = await upgradeDatabase(source, { to: version, backup: false });
        expect(r.from).toBe('c3d9e7f1a2b4');
        const fresh = join(dir, 'fresh.db');
        const db = new Database(fresh);
        await openSchema(db, { schemaVersion: version });
        db.close();
        expectSameMaster(masterOf(source), masterOf(fresh));
        // MLflow opens the rescued file as its own.
        const again = await mlflowDbUpgrade(sqliteUri(source), { mlflowVersion: version });
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).not.toContain('Running upgrade');
      },
      INTEROP_TEST_TIMEOUT_MS,
    );

  it(
    'gives the same schema and rows for a file MLflow 3.9.0 wrote itself',
    async () => {
      const source = join(dir, 'mlflow-3.9.db');
      await runPythonJson(
        `
import json, mlflow
mlflow.set_tracking_uri(${JSON.stringify(sqliteUri(source))})
mlflow.set_experiment("py")
@mlflow.trace(span_type="AGENT")
def agent(q):
    mlflow.update_current_trace(tags={"env": "py"})
    return q.upper()
with mlflow.start_run():
    mlflow.log_param("p", "1")
    agent("hi")
mlflow.flush_trace_async_logging()
tid = mlflow.get_last_active_trace_id()
mlflow.log_feedback(trace_id=tid, name="ok", value=True)
print(json.dumps({}))
`,
        { cwd: dir, mlflowVersion: MLFLOW_OLDEST },
      );
      await compare(source);
    },
    INTEROP_TEST_TIMEOUT_MS,
  );
});
