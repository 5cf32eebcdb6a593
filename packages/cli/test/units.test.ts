import type { Experiment, Span, Trace } from '@graphtrace/core';
import { FilterSyntaxError } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../src/commands/ui.js';
import { filterExperiments } from '../src/filter/experiment-filter.js';
import { colorsFor } from '../src/output/colors.js';
import { formatUsd } from '../src/output/format.js';
import { renderTable } from '../src/output/table.js';
import { renderTraceTree, timingBar } from '../src/output/trace-tree.js';
import { parseMetricLines } from '../src/transfer/file-store-source.js';

const plain = colorsFor({ write: () => true, isTTY: false }, {}, false);
const MS = 1_000_000n;
const T0 = 1_700_000_000_000n * MS;

function span(
  id: string,
  parent: string | null,
  startMs: number,
  endMs: number | null,
  extra: Partial<Span> = {},
): Span {
  return {
    traceId: 'tr-0123456789abcdef0123456789abcdef',
    spanId: id.padStart(16, '0'),
    parentSpanId: parent === null ? null : parent.padStart(16, '0'),
    name: `span-${id}`,
    spanType: 'CHAIN',
    startTimeUnixNano: T0 + BigInt(startMs) * MS,
    endTimeUnixNano: endMs === null ? null : T0 + BigInt(endMs) * MS,
    status: { code: 'OK' },
    attributes: {},
    events: [],
    ...extra,
  };
}

describe('timing bars', () => {
  it('place a span by its start and length within the trace', () => {
    const t1 = T0 + 100n * MS;
    expect(timingBar(span('1', null, 0, 100), T0, t1, 10)).toBe('██████████');
    expect(timingBar(span('2', '1', 50, 70), T0, t1, 10)).toBe('     ██   ');
    // A span too short to see still gets one cell, at its place.
    expect(timingBar(span('3', '1', 99, 99), T0, t1, 10)).toBe('         █');
    // Still running: drawn to the end of the trace.
    expect(timingBar(span('4', '1', 20, null), T0, t1, 10)).toBe('  ████████');
  });

  it('the tree shows nesting, types, durations, tokens and the error of a failed span', () => {
    const trace: Trace = {
      info: {} as Trace['info'],
      spans: [
        span('1', null, 0, 100, { name: 'agent', spanType: 'AGENT' }),
        span('2', '1', 10, 60, {
          name: 'llm',
          spanType: 'LLM',
          attributes: {
            'mlflow.chat.tokenUsage': { input_tokens: 1200, output_tokens: 34, total_tokens: 1234 },
          },
        }),
        span('3', '1', 60, 90, {
          name: 'search',
          spanType: 'TOOL',
          status: { code: 'ERROR' },
          events: [
            {
              name: 'exception',
              timeUnixNano: T0,
              attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'no answer' },
            },
          ],
        }),
        span('4', '3', 61, 62, { name: 'http', spanType: 'UNKNOWN' }),
        span('5', 'ffff', 5, 6, { name: 'orphan' }),
      ],
    };
    const lines = renderTraceTree(trace, { colors: plain, width: 120 }).split('\n');
    expect(lines[0]).toMatch(/^SPAN\s+TYPE\s+DURATION\s+TIMELINE\s+TOKENS\s+ERROR$/);
    expect(lines.slice(1).map((l) => /^(.*?\S)\s{2,}/.exec(l)?.[1])).toEqual([
      'agent',
      '├─ llm',
      '└─ search',
      '   └─ http',
      'orphan',
    ]);
    expect(lines[2]).toMatch(/LLM\s+50 ms\s+▕.*▏\s+1,200 in \/ 34 out$/);
    expect(lines[3]).toMatch(/TOOL\s+30 ms\s+▕.*▏\s+✗ TimeoutError: no answer$/);
    expect(lines[4]).toMatch(/UNKNOWN\s+1\.0 ms/);
  });
});

describe('costs', () => {
  it('formatUsd: cents from $1, two significant digits below, `-` for no cost', () => {
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(0.0123)).toBe('$0.012');
    expect(formatUsd(0.00042)).toBe('$0.00042');
    expect(formatUsd(0.00015 + 0.0003)).toBe('$0.00045');
    expect(formatUsd(0.0003)).toBe('$0.0003');
    expect(formatUsd(0.000123456)).toBe('$0.00012');
    // Never $0.00 for a cost above zero, however small; no exponents.
    expect(formatUsd(0.004)).toBe('$0.004');
    expect(formatUsd(3e-9)).toBe('$0.000000003');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.999)).toBe('$1.00');
    expect(formatUsd(-0.0005)).toBe('-$0.0005');
    for (const none of [null, undefined, Number.NaN]) expect(formatUsd(none)).toBe('-');
  });

  it('the tree has a COST column only when a span has a cost; unpriced model calls show `-`', () => {
    const usage = { input_tokens: 1000, output_tokens: 500, total_tokens: 1500 };
    const cost = { input_cost: 0.00015, output_cost: 0.0003, total_cost: 0.00045 };
    const model = (id: string, attributes: Span['attributes']) =>
      span(id, '1', 10, 40, { name: `llm-${id}`, spanType: 'CHAT_MODEL', attributes });
    const tree = (spans: Span[]) =>
      renderTraceTree({ info: {} as Trace['info'], spans }, { colors: plain, width: 120 }).split(
        '\n',
      );
    const priced = tree([
      span('1', null, 0, 100, { name: 'agent' }),
      model('2', { 'mlflow.chat.tokenUsage': usage, 'mlflow.llm.cost': cost }),
      model('3', { 'mlflow.chat.tokenUsage': usage }),
    ]);
    expect(priced[0]).toMatch(/\sTOKENS\s+COST$/);
    expect(priced[1]).toMatch(/▏$/);
    expect(priced[2]).toMatch(/▏\s+1,000 in \/ 500 out\s+\$0\.00045$/);
    expect(priced[3]).toMatch(/▏\s+1,000 in \/ 500 out\s+-$/);
    const unpriced = tree([
      span('1', null, 0, 100, { name: 'agent' }),
      model('2', { 'mlflow.chat.tokenUsage': usage }),
    ]);
    expect(unpriced.join('\n')).not.toMatch(/COST|\$|\s-$/m);
  });
});

describe('experiment filters', () => {
  const exps: Experiment[] = [
    {
      experimentId: '0',
      name: 'Default',
      artifactLocation: '',
      lifecycleStage: 'active',
      creationTime: 1,
      lastUpdateTime: 1,
      tags: {},
    },
    {
      experimentId: '2',
      name: 'agent-a',
      artifactLocation: '',
      lifecycleStage: 'active',
      creationTime: 5,
      lastUpdateTime: 9,
      tags: { team: 'search' },
    },
    {
      experimentId: '10',
      name: 'agent-b',
      artifactLocation: '',
      lifecycleStage: 'active',
      creationTime: 7,
      lastUpdateTime: 8,
      tags: {},
    },
  ];
  const names = (f?: string, o?: string[]) => filterExperiments(exps, f, o).map((e) => e.name);

  it('understands attributes, tags, LIKE/IN and ordering (ids as numbers)', () => {
    expect(names("name LIKE 'agent%'")).toEqual(['agent-a', 'agent-b']);
    expect(names("tags.team = 'search'")).toEqual(['agent-a']);
    expect(names('creation_time >= 5 AND attributes.last_update_time < 9')).toEqual(['agent-b']);
    expect(names("name IN ('Default', 'agent-b')")).toEqual(['Default', 'agent-b']);
    expect(names(undefined, ['experiment_id DESC'])).toEqual(['agent-b', 'agent-a', 'Default']);
    expect(names(undefined, ['creation_time'])).toEqual(['Default', 'agent-a', 'agent-b']);
  });

  it('rejects mistakes with the column', () => {
    const err = (f: string) => {
      try {
        filterExperiments(exps, f, undefined);
      } catch (e) {
        return e as FilterSyntaxError;
      }
      throw new Error('no error');
    };
    expect(err("name = 'a' OR name = 'b'").column).toBe(12);
    expect(err('creation_time LIKE 5').message).toMatch(
      /column 15: `LIKE` cannot compare creation_time/,
    );
    expect(err("params.x = '1'").message).toMatch(/column 1: unknown entity `params`/);
    expect(err("name = 'open")).toBeInstanceOf(FilterSyntaxError);
  });
});

describe('small pieces', () => {
  it('reads FileStore metric lines as Python wrote them', () => {
    expect(
      parseMetricLines(
        'loss',
        '1700000000000 0.5 0\n1700000000001 nan 1\n1700000000002 -inf 2\n1700000000003 1e-05\n',
      ),
    ).toEqual([
      { key: 'loss', timestamp: 1700000000000, value: 0.5, step: 0 },
      { key: 'loss', timestamp: 1700000000001, value: Number.NaN, step: 1 },
      { key: 'loss', timestamp: 1700000000002, value: Number.NEGATIVE_INFINITY, step: 2 },
      { key: 'loss', timestamp: 1700000000003, value: 1e-5, step: 0 },
    ]);
    expect(() => parseMetricLines('loss', '17 abc 0')).toThrow(/not a number/);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('aligns table columns whatever the colours', () => {
    const colored = colorsFor({ write: () => true }, { FORCE_COLOR: '1' }, false);
    const rows = [
      { a: 'x', b: '1' },
      { a: 'longer', b: '1000' },
    ];
    const cols = [
      {
        header: 'A',
        value: (r: (typeof rows)[0]) => r.a,
        style: (t: string, _r: unknown, c: typeof plain) => c.red(t),
      },
      { header: 'B', value: (r: (typeof rows)[0]) => r.b, align: 'right' as const },
    ];
    const text = renderTable(rows, cols, plain);
    expect(text).toBe('A          B\nx          1\nlonger  1000');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(renderTable(rows, cols, colored).replace(/\u001b\[\d+m/g, '')).toBe(text);
  });

  it('aligns and cuts wide characters by the columns they take', () => {
    const rows = [
      { a: '天气查询', b: '1' },
      { a: 'weather', b: '22' },
      { a: '检索增强生成代理', b: '3' },
    ];
    const cols = [
      { header: 'NAME', value: (r: (typeof rows)[0]) => r.a, max: 9 },
      { header: 'N', value: (r: (typeof rows)[0]) => r.b, align: 'right' as const },
    ];
    expect(renderTable(rows, cols, plain)).toBe(
      ['NAME        N', '天气查询    1', 'weather    22', '检索增强…   3'].join('\n'),
    );
  });
});
