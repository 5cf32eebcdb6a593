import { parseFilter } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { autoBucket } from '../src/api/analytics-routes.js';
import { quoteFilterValue } from '../src/api/traces-routes.js';
import { isLoopbackHost, nearestRank } from '../src/index.js';
import { TtlCache } from '../src/server/ttl-cache.js';
import { chatMessages, normaliseMessage, toolNamesById } from '../web/src/chat.js';
import { formatDuration, formatUsd } from '../web/src/format.js';

describe('chat messages from span inputs and outputs', () => {
  it('reads OpenAI messages with tool calls, tool results and the completion', () => {
    const messages = chatMessages(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: '{"c":18}' },
        ],
      },
      {
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny, 18 °C' } }],
      },
    )!;
    expect(messages.map((m) => [m.role, m.content, m.output])).toEqual([
      ['system', 'Be brief.', false],
      ['user', 'Weather in Paris?', false],
      ['assistant', null, false],
      ['tool', '{"c":18}', false],
      ['assistant', 'Sunny, 18 °C', true],
    ]);
    expect(messages[2]!.toolCalls).toEqual([
      { id: 'c1', name: 'weather', arguments: { city: 'Paris' } },
    ]);
    expect(toolNamesById(messages).get('c1')).toBe('weather');
  });

  it('reads LangChain messages: serialized, as dicts with args objects, and batches', () => {
    const serialized = {
      lc: 1,
      type: 'constructor',
      id: ['langchain_core', 'messages', 'HumanMessage'],
      kwargs: { content: 'hi' },
    };
    const ai = {
      type: 'ai',
      content: '',
      tool_calls: [{ id: 't', name: 'search', args: { q: 'x' } }],
    };
    const messages = chatMessages([[serialized, ai]], {
      generations: [[{ text: 'done', message: { type: 'ai', content: 'done' } }]],
    })!;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'assistant']);
    expect(messages[1]!.toolCalls).toEqual([{ id: 't', name: 'search', arguments: { q: 'x' } }]);
    expect(messages[2]).toMatchObject({ content: 'done', output: true });
  });

  it('reads content blocks with tool use and tool results', () => {
    const use = normaliseMessage({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'u1', name: 'lookup', input: { id: 7 } },
      ],
    })!;
    expect(use).toMatchObject({
      content: 'Let me look.',
      toolCalls: [{ id: 'u1', name: 'lookup', arguments: { id: 7 } }],
    });
    const result = normaliseMessage({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'u1', content: 'found' }],
    })!;
    expect(result).toMatchObject({ role: 'tool', toolCallId: 'u1', content: 'found' });
  });

  it('is null for spans that hold no conversation', () => {
    expect(chatMessages({ city: 'Paris' }, { temperature: 18 })).toBeNull();
    expect(chatMessages(undefined, undefined)).toBeNull();
    expect(chatMessages({ messages: [{ foo: 1 }] }, null)).toBeNull();
  });
});

describe('helpers', () => {
  it('quotes any session id into a filter that parses back to it', () => {
    for (const value of ["it's", 'back\\slash', 'plain', "'\\'"]) {
      const filter = parseFilter(
        `metadata.\`mlflow.trace.session\` = ${quoteFilterValue(value)}`,
        'traces',
      );
      expect(filter.clauses[0]!.value).toBe(value);
    }
  });

  it('computes nearest-rank percentiles with integer ranks', () => {
    const sixty = Array.from({ length: 60 }, (_, i) => i + 1);
    expect(nearestRank(sixty, 95)).toBe(57); // 0.95 * 60 in floating point would give rank 58
    expect(nearestRank([5], 50)).toBe(5);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('picks at most ~200 buckets for a range', () => {
    expect(autoBucket(3_600_000)).toBe(60_000);
    expect(autoBucket(24 * 3_600_000)).toBe(15 * 60_000);
    expect(autoBucket(7 * 24 * 3_600_000)).toBe(3_600_000);
  });

  it('shows a duration to the precision it has: whole ms without decimals, ns-timed with', () => {
    expect(formatDuration(2)).toBe('2 ms'); // a trace's execution_time_ms
    expect(formatDuration(2.21)).toBe('2.21 ms'); // a span, from its ns times
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.25)).toBe('250 µs');
    expect(formatDuration(874)).toBe('874 ms');
    expect(formatDuration(1500)).toBe('1.50 s');
  });

  it('shows money readably: cents from $1, two significant digits below, never a cost as $0.00', () => {
    expect(formatUsd(0.00045)).toBe('$0.00045');
    expect(formatUsd(0.00041999999999999996)).toBe('$0.00042'); // as core sums floats
    expect(formatUsd(0.0009)).toBe('$0.0009');
    expect(formatUsd(0.000996)).toBe('$0.001');
    expect(formatUsd(0.0123)).toBe('$0.012');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(2e-8)).toBe('$0.00000002');
    expect(formatUsd(1e-12)).toBe('<$0.0000000001');
    expect(formatUsd(0)).toBe('$0.00'); // a price of zero, recorded
    // No cost recorded (no known price) is not $0.
    expect(formatUsd(null)).toBe('—');
    expect(formatUsd(undefined)).toBe('—');
    expect(formatUsd(Number.NaN)).toBe('—');
    for (let usd = 1e-10; usd < 1000; usd *= 1.37) {
      expect(formatUsd(usd)).not.toMatch(/^\$0\.0*$/);
      // Within 5% of the amount (two significant digits at least).
      const shown = Number(formatUsd(usd).replace(/[$,]/g, ''));
      expect(Math.abs(shown - usd) / usd).toBeLessThan(0.05);
    }
  });

  it('tells loopback names from others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '::1', '[::1]'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', 'localhost.example.com'])
      expect(isLoopbackHost(h)).toBe(false);
  });

  it('caches a computation for its time to live, not its failures', async () => {
    let now = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.get('a', compute)).toBe(1);
    expect(await cache.get('a', compute)).toBe(1);
    now = 1000;
    expect(await cache.get('a', compute)).toBe(2);
    await expect(cache.get('b', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await cache.get('b', compute)).toBe(3);
  });
});
