import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter, parseOrderBy } from '../src/index.js';

const err = (text: string, domain: 'traces' | 'runs' = 'traces') => {
  try {
    parseFilter(text, domain);
  } catch (e) {
    return e as FilterSyntaxError;
  }
  throw new Error(`expected ${text} to fail`);
};

describe('MLflow filter parser', () => {
  it('parses comparisons joined by AND into a typed AST', () => {
    expect(
      parseFilter(
        "attributes.status = 'OK' AND tags.`my.key` LIKE 'a%' AND metadata.\"x y\" != 'z' AND timestamp_ms >= 10",
        'traces',
      ),
    ).toEqual({
      clauses: [
        { entity: 'attribute', key: 'status', op: '=', value: 'OK', column: 1 },
        { entity: 'tag', key: 'my.key', op: 'LIKE', value: 'a%', column: 30 },
        { entity: 'metadata', key: 'x y', op: '!=', value: 'z', column: 58 },
        { entity: 'attribute', key: 'timestamp_ms', op: '>=', value: 10, column: 84 },
      ],
    });
    expect(
      parseFilter(
        "params.lr = '0.1' and metrics.acc > 0.9 AND attributes.run_id IN ('a', 'b')",
        'runs',
      ).clauses.map((c) => [c.entity, c.op, c.value]),
    ).toEqual([
      ['param', '=', '0.1'],
      ['metric', '>', 0.9],
      ['attribute', 'IN', ['a', 'b']],
    ]);
    expect(parseFilter('', 'traces')).toEqual({ clauses: [] });
    expect(parseFilter("tags.mlflow.traceName = 'x'", 'traces').clauses[0]?.key).toBe(
      'mlflow.traceName',
    );
  });

  it.each([
    ["attributes.status = 'OK' tags.a = 'b'", 26, /expected AND/],
    ["attributes.status = 'OK' OR tags.a = 'b'", 26, /OR is not supported/],
    ["tag.a = 'b' AND", 16, /expected a comparison/],
    ["atributes.status = 'OK'", 1, /unknown prefix `atributes.`; did you mean `attributes.`/],
    ['attributes.execution_time_ms > fast', 32, /quoted string or a number/],
    ["attributes.execution_time_ms > '5'", 32, /is a number/],
    ['tags.env = prod', 12, /quote it: 'prod'/],
    ["attributes.status = 'DONE'", 21, /one of 'OK', 'ERROR', 'IN_PROGRESS'/],
    ["tags.env < 'a'", 10, /does not apply/],
    ["tags.env = 'open", 12, /unterminated string/],
    ["params.lr = '1'", 1, /unknown prefix `params.`/],
  ])('rejects %s at column %i', (text, column, message) => {
    const e = err(text as string);
    expect(e).toBeInstanceOf(FilterSyntaxError);
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.column).toBe(column);
    expect(e.message).toMatch(message as RegExp);
  });

  it('parses order_by terms and rejects bad ones', () => {
    expect(
      parseOrderBy(['timestamp_ms DESC', 'metadata.`a.b` asc', 'attributes.name'], 'traces'),
    ).toEqual([
      { entity: 'attribute', key: 'timestamp_ms', ascending: false },
      { entity: 'metadata', key: 'a.b', ascending: true },
      { entity: 'attribute', key: 'name', ascending: true },
    ]);
    expect(() => parseOrderBy(['timestamp_ms SIDEWAYS'], 'traces')).toThrow(
      /Invalid order_by at column 14: expected ASC or DESC/,
    );
  });
});
