import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
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

  it('shares a growing conversation: a list seen before, or one message longer, is not walked again', () => {
    const { tracker } = setup();
    const convo = [
      new HumanMessage('go'),
      new AIMessage('calling'),
      new ToolMessage({ content: 'value', tool_call_id: 'c1' }),
    ];
    const record = (raw: unknown) => {
      const s = tracker.startSpan({ name: 's', parent: null });
      recordPayload(s, 'x', raw);
      return s;
    };
    const first = record({ messages: convo.slice(0, 2) });
    const again = record({ messages: convo.slice(0, 2) }); // a new array, the same messages
    const longer = record({ messages: convo }); // one message appended
    const firstList = (first.attributes.x as { messages: unknown[] }).messages;
    expect((again.attributes.x as { messages: unknown[] }).messages).toBe(firstList);
    const longerList = (longer.attributes.x as { messages: unknown[] }).messages;
    expect(longerList.slice(0, 2)).toEqual(firstList);
    expect(longerList[2]).toEqual({ role: 'tool', content: 'value', tool_call_id: 'c1' });
    expect(longerList[0]).toBe(firstList[0]);
    // Sizes add up as a fresh walk's would, whichever path made the value.
    const fresh = setup().tracker.startSpan({ name: 's', parent: null });
    recordPayload(fresh, 'x', { messages: convo });
    expect(longer.attributes.x).toEqual(fresh.attributes.x);
    expect(longer.sizeChars).toBe(fresh.sizeChars);
    expect(again.sizeChars).toBe(first.sizeChars);
    // A list that differs anywhere but its end is walked afresh, not mixed up.
    const swapped = record({ messages: [convo[1], convo[0], convo[2]] });
    expect(
      (swapped.attributes.x as { messages: { role: string }[] }).messages.map((m) => m.role),
    ).toEqual(['assistant', 'user', 'tool']);
    // Another tracker's masking rules get their own lists.
    const other = span({ redact: ['content'] });
    recordPayload(other, 'x', { messages: convo });
    expect(
      (other.attributes.x as { messages: { content: unknown }[] }).messages.map((m) => m.content),
    ).toEqual(['[REDACTED]', '[REDACTED]', '[REDACTED]']);
  });
});
