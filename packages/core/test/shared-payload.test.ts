import { describe, expect, it } from 'vitest';
import { type LiveSpan, REDACTED } from '../src/index.js';
import { setup } from './helpers.js';

/** A framework's message: a class instance the integration converts to a record once. */
class Message {
  constructor(readonly text: string) {}
}
const records = new WeakMap<Message, { role: string; content: string }>();
const convert = (v: object) => {
  if (!(v instanceof Message)) return undefined;
  let r = records.get(v);
  if (!r) {
    r = { role: 'user', content: v.text };
    records.set(v, r);
  }
  return r;
};

async function withTwoSpans(
  fn: (a: LiveSpan, b: LiveSpan) => void,
  options: Parameters<typeof setup>[0] = {},
) {
  const { tracker, traces, spansOf } = setup(options);
  await tracker.withSpan({ name: 'a' }, (a) => tracker.withSpan({ name: 'b' }, (b) => fn(a, b)));
  const [t] = await traces();
  return spansOf(t!.traceId);
}

describe('LiveSpan.setPayload: payloads many spans share', () => {
  it('records converted objects at any depth, and shares their sanitized forms across spans', async () => {
    const convo = [new Message('hi'), new Message('sk-proj-abcdefghijklmnopqrstuvwx is my key')];
    let kept: unknown[] = [];
    await withTwoSpans((a, b) => {
      a.setPayload('mlflow.spanInputs', { messages: convo }, { convert });
      b.setPayload('mlflow.spanInputs', { messages: [...convo] }, { convert });
      kept = [a.attributes['mlflow.spanInputs'], b.attributes['mlflow.spanInputs']];
    });
    const [x, y] = kept as { messages: { content: string }[] }[];
    expect(x!.messages[0]).toEqual({ role: 'user', content: 'hi' });
    // Secrets inside converted records are masked like any value.
    expect(x!.messages[1]!.content).not.toContain('abcdefghij');
    // The same list of records: one sanitized copy, shared.
    expect(y!.messages).toBe(x!.messages);
  });

  it('shares an immutable value, masks secret keys, and keeps the span bounds', async () => {
    const schema = { type: 'object' };
    const spans = await withTwoSpans(
      (a, b) => {
        a.setPayload('tools', schema, { immutable: true });
        b.setPayload('tools', schema, { immutable: true });
        expect(b.attributes.tools).toBe(a.attributes.tools);
        a.setPayload('api_key', 'sk-live-secret');
        a.setPayload('big', { text: 'y'.repeat(500) }, { convert });
        const cyclic: Record<string, unknown> = { a: 1 };
        cyclic.self = cyclic;
        a.setPayload('cyclic', cyclic, { convert });
        a.setPayload('unreadable', new Message('x'), {
          convert: () => {
            throw new Error('boom');
          },
        });
      },
      { maxPayloadChars: 200 },
    );
    const a = spans.find((s) => s.name === 'a')!;
    expect(a.attributes.api_key).toBe(REDACTED);
    expect(JSON.stringify(a.attributes.big)).toContain('truncated');
    expect(a.attributes.cyclic).toEqual({ a: 1, self: '[Circular]' });
    expect(a.attributes.unreadable).toBe('[unreadable value: boom]');
  });

  it('logsPrompts says whether payloads are recorded', async () => {
    const seen: boolean[] = [];
    for (const logPrompts of [true, false]) {
      const { tracker } = setup({ logPrompts });
      await tracker.withSpan({ name: 's' }, (s) => {
        seen.push(s.logsPrompts);
      });
    }
    expect(seen).toEqual([true, false]);
  });
});
