import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { toOpenAIMessage, toRecordable } from '../src/convert.js';
import { recordPayload } from '../src/payload.js';
import { setup } from './helpers.js';

function span(options: Parameters<typeof setup>[0] = {}) {
  const { tracker } = setup(options);
  return tracker.startSpan({ name: 's', parent: null });
}

describe('recordPayload (messages sanitized once, shared)', () => {
  it('records the same JSON core would, secrets masked in containers and in messages', () => {
    const s = span();
    const value = toRecordable({
      messages: [new HumanMessage('my key is sk-abcdefghijklmnopqrstuvwx'), new AIMessage('ok')],
      api_key: 'hunter2hunter2',
      nested: { password: 'p', n: 1, flag: true, nothing: null, gone: undefined },
    });
    recordPayload(s, 'mlflow.spanInputs', value);
    expect(s.attributes['mlflow.spanInputs']).toEqual({
      messages: [
        { role: 'user', content: 'my key is [REDACTED]' },
        { role: 'assistant', content: 'ok' },
      ],
      api_key: '[REDACTED]',
      nested: { password: '[REDACTED]', n: 1, flag: true, nothing: null },
    });
    expect(s.sizeChars).toBeGreaterThan(200 + 60);
  });

  it('shares one sanitized copy of a message across spans of the same tracker', () => {
    const { tracker } = setup();
    const message = toOpenAIMessage(new HumanMessage('hello'));
    const a = tracker.startSpan({ name: 'a', parent: null });
    const b = tracker.startSpan({ name: 'b', parent: null });
    recordPayload(a, 'x', { messages: [message] });
    recordPayload(b, 'x', [message]);
    const fromA = (a.attributes.x as { messages: unknown[] }).messages[0];
    expect((b.attributes.x as unknown[])[0]).toBe(fromA);
    // Another tracker (other masking rules) gets its own copy.
    const other = span({ redact: ['content'] });
    recordPayload(other, 'x', [message]);
    expect(other.attributes.x).toEqual([{ role: 'user', content: '[REDACTED]' }]);
  });

  it("hands oversized or cyclic payloads to core's own path, which truncates them", () => {
    const s = span({ maxPayloadChars: 50 });
    recordPayload(s, 'x', { text: 'y'.repeat(500) });
    expect(JSON.stringify(s.attributes.x)).toContain('truncated');
    expect(JSON.stringify(s.attributes.x).length).toBeLessThan(200);

    const t = span();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    recordPayload(t, 'x', cyclic);
    expect(t.attributes.x).toEqual({ a: 1, self: '[Circular]' });
  });

  it('passes class instances and odd values through core sanitization', () => {
    const s = span();
    recordPayload(s, 'x', { when: new Date(0), big: 10n, fn() {}, inf: Number.POSITIVE_INFINITY });
    expect(s.attributes.x).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      big: '10',
      fn: '[Function fn]',
      inf: 'Infinity',
    });
  });
});
