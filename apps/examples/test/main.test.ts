import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

it('the main job writes ./mlflow.db and prints the answer and the trace tree', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'graphtrace-main-'));
  const out = execFileSync(process.execPath, [resolve(import.meta.dirname, '../dist/main.js')], {
    cwd,
    encoding: 'utf8',
  });
  expect(out).toContain(
    'answer: graphtrace writes MLflow 3.9 traces into sqlite:///mlflow.db. (grounded: true)',
  );
  expect(out).toMatch(/trace tr-[0-9a-f]{32} {2}OK/);
  expect(out).toMatch(/└─ ask \[AGENT\]/);
  expect(out).toMatch(/├─ retrieve \[RETRIEVER\]/);
  expect(out).toMatch(/scripted-model \[CHAT_MODEL\] .* tokens 42 in \/ 12 out/);
  expect(out).toMatch(/└─ check \[GUARDRAIL\]/);
  expect(existsSync(join(cwd, 'mlflow.db'))).toBe(true);
  expect(out).toContain(`mlflow ui --backend-store-uri sqlite:///${join(cwd, 'mlflow.db')}`);
});
