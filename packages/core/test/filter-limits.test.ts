import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter, parseOrderBy } from '../src/index.js';

/** The FilterSyntaxError `run` throws; fails the test when it does not throw one. */
function thrown(run: () => unknown): FilterSyntaxError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(FilterSyntaxError);
    return e as FilterSyntaxError;
  }
  throw new Error('expected a FilterSyntaxError');
}

const comparisons = (n: number) =>
  Array.from({ length: n }, (_, i) => `tags.k${i} = 'v'`).join(' AND ');
const inList = (n: number, offset = 0) =>
  `(${Array.from({ length: n }, (_, i) => `'v${offset + i}'`).join(', ')})`;

describe('filter size limits', () => {
  it('accepts 100 comparisons and refuses 1,000 with the count, the limit and the column of the 101st', () => {
    expect(parseFilter(comparisons(100), 'traces').clauses).toHaveLength(100);
    const text = comparisons(1000);
    const e = thrown(() => parseFilter(text, 'traces'));
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.message).toMatch(
      /^Invalid filter at column \d+: this filter has 1000 comparisons; at most 100 are allowed \(joined by AND\)/,
    );
    expect(text.slice(e.column - 1).startsWith('tags.k100 ')).toBe(true);
  });

  it('accepts an IN list of 1,000 values and refuses one of 33,000, naming the key', () => {
    expect(parseFilter(`tags.env IN ${inList(1000)}`, 'traces').clauses[0]!.value).toHaveLength(
      1000,
    );
    const e = thrown(() => parseFilter(`tags.env NOT IN ${inList(33_000)}`, 'traces'));
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.column).toBe(17);
    expect(e.message).toMatch(
      /^Invalid filter at column 17: the NOT IN list of tag `env` has 33000 values; at most 1000 are allowed in one list/,
    );
  });

  it('refuses more than 10,000 IN values in one filter, at the list that crosses the limit', () => {
    const lists = Array.from({ length: 11 }, (_, i) => `params.p${i} IN ${inList(1000, i * 1000)}`);
    expect(parseFilter(lists.slice(0, 10).join(' AND '), 'runs').clauses).toHaveLength(10);
    const text = lists.join(' AND ');
    const e = thrown(() => parseFilter(text, 'runs'));
    expect(e.message).toMatch(
      /the IN lists of this filter hold more than 10000 values together \(11000 up to this one\)/,
    );
    expect(text.slice(e.column - 1).startsWith("('v10000'")).toBe(true);
  });
});

describe('empty order_by terms', () => {
  it.each([
    ['', 'traces', 'timestamp_ms DESC'],
    ['   ', 'runs', 'metrics.accuracy DESC'],
  ] as const)('%j says the term is empty and shows the expected form', (term, domain, example) => {
    const e = thrown(() => parseOrderBy([term], domain));
    expect(e.code).toBe('INVALID_ORDER_BY');
    expect(e.message.split('\n')[0]).toBe(
      `Invalid order_by at column 1: the order_by term is empty; expected \`column [ASC|DESC]\`, e.g. \`${example}\``,
    );
    expect(e.message).not.toMatch(/after AND/);
  });
});
