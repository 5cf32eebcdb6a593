import { describe, expect, it } from 'vitest';
import { SpanType } from '../src/index.js';
import { setup } from './helpers.js';

describe('trace info, completed when the root span ends', () => {
  it('carries state, timing, previews, name, schema version and size stats', async () => {
    const { tracker, traces } = setup();
    await tracker.withSpan({ name: 'answer', inputs: { question: 'q'.repeat(2000) } }, async () =>
      'a'.repeat(300),
    );
    const [t] = await traces();
    expect(t!.state).toBe('OK');
    expect(t!.traceId).toMatch(/^tr-[0-9a-f]{32}$/);
    expect(t!.executionDuration).toBeGreaterThanOrEqual(0);
    expect(Math.abs(t!.requestTime - Date.now())).toBeLessThan(60_000);
    expect(t!.tags['mlflow.traceName']).toBe('answer');
    expect(t!.requestPreview).toHaveLength(1000);
    expect(t!.requestPreview!.endsWith('...')).toBe(true);
    expect(t!.responsePreview).toBe(JSON.stringify('a'.repeat(300)));
    expect(t!.traceMetadata['mlflow.traceInputs']).toHaveLength(250);
    expect(t!.traceMetadata['mlflow.traceOutputs']).toHaveLength(250);
    expect(t!.traceMetadata['mlflow.trace_schema.version']).toBe('3');
    const stats = JSON.parse(t!.traceMetadata['mlflow.trace.sizeStats']!);
    expect(stats.num_spans).toBe(1);
    expect(stats.total_size_bytes).toBeGreaterThan(2300);
  });

  it('sums token usage over spans without counting a child whose parent already reports it', async () => {
    const { tracker, traces } = setup();
    await tracker.withSpan({ name: 'agent', spanType: SpanType.AGENT }, async () => {
      // A wrapper that reports the usage of the model call it contains.
      await tracker.withSpan({ name: 'llm-wrapper', spanType: SpanType.LLM }, async (w) => {
        await tracker.withSpan({ name: 'raw-call', spanType: SpanType.CHAT_MODEL }, (s) => {
          s.setAttribute('mlflow.chat.tokenUsage', {
            input_tokens: 10,
            output_tokens: 5,
            total_tokens: 15,
          });
        });
        w.setAttribute('mlflow.chat.tokenUsage', {
          input_tokens: 10,
          output_tokens: 5,
          total_tokens: 15,
        });
      });
      await tracker.withSpan({ name: 'second', spanType: SpanType.CHAT_MODEL }, (s) => {
        s.setAttribute('mlflow.chat.tokenUsage', { input_tokens: 7, output_tokens: 3 });
      });
      await tracker
        .withSpan({ name: 'tool', spanType: SpanType.TOOL }, async () => {
          throw new Error('tool failed');
        })
        .catch(() => undefined);
    });
    const [t] = await traces();
    expect(JSON.parse(t!.traceMetadata['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 17,
      output_tokens: 8,
      total_tokens: 25,
    });
    expect(t!.traceMetadata['graphtrace.agent.llmCalls']).toBe('3');
    expect(t!.traceMetadata['graphtrace.agent.toolCalls']).toBe('1');
    expect(t!.traceMetadata['graphtrace.agent.toolErrors']).toBe('1');
    expect(t!.state).toBe('OK');
  });

  it('records tags, metadata, session, user and client request id from updateCurrentTrace', async () => {
    const { tracker, traces } = setup({ user: 'default-user' });
    await tracker.withSpan({ name: 'root' }, async () => {
      await tracker.withSpan({ name: 'child' }, () => {
        tracker.updateCurrentTrace({
          tags: { env: 'prod', api_key: 'sk-1234567890abcdefghijkl' },
          metadata: { tenant: 'acme' },
          session: 'thread-7',
          clientRequestId: 'req-42',
        });
      });
    });
    const [t] = await traces();
    expect(t!.tags).toMatchObject({ env: 'prod', api_key: '[REDACTED]' });
    expect(t!.traceMetadata).toMatchObject({
      tenant: 'acme',
      'mlflow.trace.session': 'thread-7',
      'mlflow.trace.user': 'default-user',
    });
    expect(t!.clientRequestId).toBe('req-42');
  });

  it('links traces to the active run with mlflow.sourceRun', async () => {
    const { tracker, traces } = setup();
    await tracker.withRun(async (run) => {
      await tracker.withSpan({ name: 'in-run' }, () => 1);
      const [t] = await traces();
      expect(t!.traceMetadata['mlflow.sourceRun']).toBe(run.runId);
    });
    tracker.withSpan({ name: 'outside' }, () => 1);
    const outside = (await traces()).find((t) => t.tags['mlflow.traceName'] === 'outside');
    expect(outside!.traceMetadata['mlflow.sourceRun']).toBeUndefined();
  });

  it('samples whole traces at the root', async () => {
    const { tracker, traces } = setup({ sampling: 0.5 });
    for (let i = 0; i < 400; i++) {
      tracker.withSpan({ name: 'root' }, () => tracker.withSpan({ name: 'child' }, () => i));
    }
    const all = await traces();
    expect(all.length).toBeGreaterThan(120);
    expect(all.length).toBeLessThan(280);
    const { spansOf } = {
      spansOf: async (id: string) => (await tracker.store.getTrace(id))!.spans,
    };
    for (const t of all.slice(0, 20)) expect(await spansOf(t.traceId)).toHaveLength(2);
    const none = setup({ sampling: 0 });
    expect(none.tracker.withSpan({ name: 'x' }, () => 'ran')).toBe('ran');
    expect(await none.traces()).toHaveLength(0);
  });

  it('records nothing when disabled, but still runs the code', async () => {
    const { tracker, traces } = setup({ enabled: false });
    expect(tracker.trace((x: number) => x + 1)(1)).toBe(2);
    expect(await traces()).toHaveLength(0);
  });
});

describe('previews of chat traces', () => {
  it('show the last user message and the assistant reply, as MLflow does', async () => {
    const { tracker, traces } = setup();
    await tracker.withSpan(
      {
        name: 'chat',
        inputs: {
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'first question' },
            { role: 'assistant', content: 'first answer' },
            { role: 'user', content: [{ type: 'text', text: 'second question' }] },
          ],
        },
      },
      async () => ({ choices: [{ message: { role: 'assistant', content: 'second answer' } }] }),
    );
    const [t] = await traces();
    expect(t!.requestPreview).toBe('second question');
    expect(t!.responsePreview).toBe('second answer');
    expect(t!.traceMetadata['mlflow.traceInputs']).toMatch(/^\{"messages":\[\{"role":"system"/);
    const stats = JSON.parse(t!.traceMetadata['mlflow.trace.sizeStats']!);
    expect(Object.keys(stats).sort()).toEqual([
      'max',
      'num_spans',
      'p25',
      'p50',
      'p75',
      'total_size_bytes',
    ]);
  });
});
