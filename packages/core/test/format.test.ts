import { expect, it } from 'vitest';
import { formatTraceTree } from '../src/index.js';
import { makeTraceInfo, makeTraceTree } from '../src/testing/index.js';

it('formats a trace as an indented span tree', () => {
  const traceId = 'tr-0123456789abcdef0123456789abcdef';
  const text = formatTraceTree({
    info: makeTraceInfo('0', traceId, { executionDuration: 40 }),
    spans: makeTraceTree(traceId),
  });
  expect(text).toBe(
    [
      'trace tr-0123456789abcdef0123456789abcdef  OK  40 ms',
      '└─ agent [AGENT]  40.0 ms  OK',
      '   ├─ model [CHAT_MODEL]  9.00 ms  OK  tokens 12 in / 3 out',
      '   └─ calculator [TOOL]  9.00 ms  ERROR: Error: division by zero',
      '      └─ parse [PARSER]  1.00 ms  OK',
    ].join('\n'),
  );
});
