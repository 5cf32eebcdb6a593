import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracker, SpanType, silentLogger } from '@graphtrace/core';
import {
  describeInterop,
  INTEROP_SETUP_TIMEOUT_MS,
  MLFLOW_NEWEST,
  type MlflowServer,
  sqliteUri,
  startMlflowServer,
} from '@graphtrace/mlflow-testkit';
import { sqliteStore } from '@graphtrace/store-sqlite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactPath, type Browser, describeBrowser, launchBrowser } from './helpers/browser.js';

// The peer's view: MLflow 3.17.2's own trace page shows the cost graphtrace recorded, on the
// trace and on the model span, as it shows a cost MLflow computed itself.
describeInterop(
  'MLflow UI shows graphtrace costs',
  () => {
    describeBrowser('in MLflow 3.17.2 trace view', () => {
      const dir = mkdtempSync(join(tmpdir(), 'graphtrace-mlflow-ui-'));
      let server: MlflowServer;
      let browser: Browser;
      let traceId = '';

      beforeAll(async () => {
        const path = join(dir, 'mlflow.db');
        const store = sqliteStore({ path, schemaVersion: MLFLOW_NEWEST });
        const tracker = createTracker({
          store,
          experimentName: 'ui-cost',
          logger: silentLogger,
          handleExitSignals: false,
        });
        traceId = tracker.withSpan({ name: 'agent', spanType: SpanType.AGENT }, (root) => {
          // gpt-4o-mini at $0.15 / $0.60 per million: $0.30 + $0.60.
          tracker.withSpan(
            {
              name: 'llm',
              spanType: SpanType.CHAT_MODEL,
              attributes: {
                'mlflow.llm.model': 'gpt-4o-mini',
                'mlflow.llm.provider': 'openai',
                'mlflow.chat.tokenUsage': { input_tokens: 2_000_000, output_tokens: 1_000_000 },
              },
            },
            () => 'answer',
          );
          return root.traceId;
        });
        await tracker.shutdown();
        await store.close();
        server = await startMlflowServer({
          mlflowVersion: MLFLOW_NEWEST,
          backendStoreUri: sqliteUri(path),
          artifactsDestination: join(dir, 'artifacts'),
          // No network: MLflow's own pricer must not be what puts a cost on the page.
          env: { MLFLOW_MODEL_CATALOG_URI: '' },
        });
        browser = await launchBrowser({ width: 1600, height: 1000 });
      }, INTEROP_SETUP_TIMEOUT_MS);

      afterAll(async () => {
        await browser?.close();
        await server?.stop();
        rmSync(dir, { recursive: true, force: true });
      });

      it('as "$0.90" on the trace header and the model span', async () => {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}/#/experiments/1/traces?selectedEvaluationId=${traceId}`);
        const span = page.getByText('llm', { exact: true });
        await span.waitFor({ timeout: 60_000 });
        await expect
          .poll(
            async () =>
              ((await page.locator('body').textContent()) ?? '').match(/\$0\.90/g)?.length ?? 0,
            {
              timeout: 30_000,
            },
          )
          .toBeGreaterThanOrEqual(2);
        await page.screenshot({ path: artifactPath('mlflow-ui-cost.png') });
      }, 120_000);
    });
  },
  { mlflowVersion: MLFLOW_NEWEST },
);
