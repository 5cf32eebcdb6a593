import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tracker } from '@graphtrace/core';
import { type MlflowServer, sqliteUri, startMlflowServer } from '@graphtrace/mlflow-testkit';

/** A throwaway directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `graphtrace-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `mlflow server` (3.9.0 unless asked) on a free loopback port with a SQLite backend in `dir`. */
export function startSqliteServer(
  dir: string,
  port?: number,
  mlflowVersion?: string,
): Promise<MlflowServer> {
  return startMlflowServer({
    ...(mlflowVersion ? { mlflowVersion } : {}),
    backendStoreUri: sqliteUri(join(dir, 'mlflow.db')),
    artifactsDestination: join(dir, 'artifacts'),
    ...(port !== undefined ? { port } : {}),
  });
}

/** One agent step as a trace: agent → (chat model with token usage, tool → retriever). */
export function agentStep(tracker: Tracker, i: number): Promise<string> {
  return tracker.trace(
    async (question: string) => {
      tracker.withSpan(
        {
          name: 'model',
          spanType: 'CHAT_MODEL',
          inputs: { messages: [{ role: 'user', content: question }] },
        },
        (span) => {
          // Priced by graphtrace: $0.00045 (MLflow's own pricer gives the same).
          span.setAttributes({
            'mlflow.llm.model': 'gpt-4o-mini',
            'mlflow.llm.provider': 'openai',
            'mlflow.chat.tokenUsage': {
              input_tokens: 1000 + i,
              output_tokens: 500,
              total_tokens: 1500 + i,
            },
          });
          span.setOutputs({ content: 'use the calculator' });
        },
      );
      const answer = tracker.withSpan({ name: 'calculator', spanType: 'TOOL' }, (span) => {
        span.setInputs({ expression: `${i} * 2` });
        return tracker.withSpan({ name: 'lookup', spanType: 'RETRIEVER' }, () => String(i * 2));
      });
      return answer;
    },
    { name: 'agent', spanType: 'AGENT' },
  )(`what is ${i} * 2?`);
}
