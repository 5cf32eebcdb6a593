import { expect, it } from 'vitest';
import { formatTraceTree, formatUsd } from '../src/index.js';
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

it('shows the trace cost and each priced span cost', () => {
  const traceId = 'tr-0123456789abcdef0123456789abcdef';
  const spans = makeTraceTree(traceId);
  const model = spans.find((s) => s.name === 'model')!;
  model.attributes['mlflow.llm.cost'] = {
    input_cost: 0.00012,
    output_cost: 0.0003,
    total_cost: 0.00042,
  };
  const info = makeTraceInfo('0', traceId, { executionDuration: 40 });
  info.traceMetadata['mlflow.trace.cost'] =
    '{"input_cost": 0.00012, "output_cost": 0.0003, "total_cost": 0.00042}';
  const lines = formatTraceTree({ info, spans }).split('\n');
  expect(lines[0]).toBe('trace tr-0123456789abcdef0123456789abcdef  OK  40 ms  cost $0.00042');
  expect(lines[2]).toBe('   ├─ model [CHAT_MODEL]  9.00 ms  OK  tokens 12 in / 3 out  $0.00042');
});

it('formats dollars so that a small cost never reads as zero', () => {
  expect(
    [0, 0.00042, 0.0001, 0.012, 0.05, 0.1234, 1.5, 12.345, 1234.5, 1e-9, -0.5].map(formatUsd),
  ).toEqual([
    '$0.00',
    '$0.00042',
    '$0.0001',
    '$0.012',
    '$0.05',
    '$0.12',
    '$1.50',
    '$12.35',
    '$1,234.50',
    '$0.000000001',
    '-$0.50',
  ]);
});
