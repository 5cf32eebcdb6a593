import { type Experiment, FilterSyntaxError } from '@graphtrace/core';
import {
  comparator,
  compareValue,
  type FilterComparison,
  type FilterOp,
} from '@graphtrace/core/store-kit';

/**
 * MLflow's `search_experiments` filter and order_by, evaluated in the CLI because the store
 * port lists experiments without filters: `name LIKE 'agent%' AND tags.team = 'search'`,
 * `creation_time > 1700000000000`; order by `name`, `experiment_id`, `creation_time`,
 * `last_update_time` with ASC/DESC. Errors are FilterSyntaxErrors with a column, like the
 * run and trace filters.
 */

type Kind = 'string' | 'number';
const ATTRIBUTES: Record<string, Kind> = {
  name: 'string',
  experiment_id: 'string',
  creation_time: 'number',
  last_update_time: 'number',
};
const STRING_OPS: FilterOp[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NUMBER_OPS: FilterOp[] = ['=', '!=', '<', '>', '<=', '>='];

interface Term {
  entity: 'attribute' | 'tag';
  key: string;
  kind: Kind;
  column: number;
}

class Scanner {
  i = 0;
  constructor(
    readonly text: string,
    readonly what: 'filter' | 'order_by',
  ) {}

  fail(problem: string, at = this.i): never {
    throw new FilterSyntaxError(this.text, at + 1, problem, this.what);
  }

  ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  atEnd(): boolean {
    this.ws();
    return this.i >= this.text.length;
  }

  match(re: RegExp): string | undefined {
    this.ws();
    const sticky = new RegExp(re.source, `${re.flags.replace('y', '')}y`);
    sticky.lastIndex = this.i;
    const m = sticky.exec(this.text);
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  quoted(): string | undefined {
    this.ws();
    const q = this.text[this.i];
    if (q !== "'" && q !== '"' && q !== '`') return undefined;
    const start = this.i;
    let out = '';
    for (let j = this.i + 1; j < this.text.length; j++) {
      const c = this.text[j]!;
      if (c === q) {
        if (this.text[j + 1] === q) {
          out += q;
          j++;
          continue;
        }
        this.i = j + 1;
        return out;
      }
      out += c;
    }
    return this.fail('unterminated string', start);
  }

  term(): Term {
    this.ws();
    const column = this.i + 1;
    const word = this.match(/[A-Za-z_][A-Za-z0-9_]*/);
    if (word === undefined)
      this.fail('expected an attribute (name, creation_time, …) or tags.<key>');
    const prefix = word.toLowerCase();
    if (this.text[this.i] === '.') {
      this.i++;
      if (prefix === 'tags' || prefix === 'tag') {
        const key = this.quoted() ?? this.match(/[A-Za-z0-9_.\-:/]+/);
        if (key === undefined) this.fail('expected a tag key after `tags.`');
        return { entity: 'tag', key, kind: 'string', column };
      }
      if (prefix === 'attributes' || prefix === 'attribute' || prefix === 'attr') {
        return this.attribute(column);
      }
      this.fail(
        `unknown entity \`${word}\`; experiments are filtered by attributes and tags`,
        column - 1,
      );
    }
    this.i -= word.length;
    return this.attribute(column);
  }

  private attribute(column: number): Term {
    const at = this.i;
    const name = this.quoted() ?? this.match(/[A-Za-z_][A-Za-z0-9_]*/);
    const kind = name === undefined ? undefined : ATTRIBUTES[name.toLowerCase()];
    if (name === undefined || kind === undefined) {
      this.fail(
        `unknown attribute${name ? ` \`${name}\`` : ''}; use one of ${Object.keys(ATTRIBUTES).join(', ')}`,
        at,
      );
    }
    return { entity: 'attribute', key: name.toLowerCase(), kind, column };
  }
}

function readOp(s: Scanner, term: Term): FilterOp {
  s.ws();
  const at = s.i;
  const raw = s.match(/(NOT\s+IN|ILIKE|LIKE|IN)\b|!=|<=|>=|=|<|>/i);
  if (raw === undefined) s.fail('expected a comparison operator (=, !=, <, >, LIKE, IN, …)');
  const op = raw.toUpperCase().replace(/\s+/g, ' ') as FilterOp;
  const allowed = term.kind === 'number' ? NUMBER_OPS : STRING_OPS;
  if (!allowed.includes(op)) {
    s.fail(`\`${op}\` cannot compare ${term.key}; use one of ${allowed.join(', ')}`, at);
  }
  return op;
}

function readValue(s: Scanner, term: Term, op: FilterOp): string | number | string[] {
  s.ws();
  const at = s.i;
  if (op === 'IN' || op === 'NOT IN') {
    if (s.match(/\(/) === undefined) s.fail('expected ( after IN');
    const values: string[] = [];
    for (;;) {
      const v = s.quoted();
      if (v === undefined) s.fail('expected a quoted string in the IN list');
      values.push(v);
      if (s.match(/,/) !== undefined) continue;
      if (s.match(/\)/) !== undefined) break;
      s.fail('expected , or ) in the IN list');
    }
    return values;
  }
  if (term.kind === 'number') {
    const n = s.match(/[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/);
    if (n === undefined) s.fail(`${term.key} is a number (ms since epoch); expected a number`, at);
    return Number(n);
  }
  const v = s.quoted();
  if (v === undefined) s.fail(`expected a quoted string for ${term.key}`, at);
  return v;
}

export function parseExperimentFilter(text: string | undefined): FilterComparison[] {
  if (!text || text.trim() === '') return [];
  const s = new Scanner(text, 'filter');
  const clauses: FilterComparison[] = [];
  for (;;) {
    const term = s.term();
    const op = readOp(s, term);
    const value = readValue(s, term, op);
    clauses.push({ entity: term.entity, key: term.key, op, value, column: term.column });
    if (s.atEnd()) break;
    if (s.match(/AND\b/i) === undefined)
      s.fail('expected AND between comparisons (OR is not supported)');
  }
  return clauses;
}

function experimentValue(e: Experiment, t: { entity: string; key: string }) {
  if (t.entity === 'tag') return e.tags[t.key];
  switch (t.key) {
    case 'name':
      return e.name;
    case 'experiment_id':
      return e.experimentId;
    case 'creation_time':
      return e.creationTime;
    case 'last_update_time':
      return e.lastUpdateTime;
  }
  return undefined;
}

export function filterExperiments(
  experiments: readonly Experiment[],
  filter: string | undefined,
  orderBy: readonly string[] | undefined,
): Experiment[] {
  const clauses = parseExperimentFilter(filter);
  const terms = (orderBy ?? []).map((text) => {
    const s = new Scanner(text, 'order_by');
    if (s.atEnd()) {
      s.fail(
        'the order_by term is empty; expected `column [ASC|DESC]`, e.g. `creation_time DESC`',
        0,
      );
    }
    const term = s.term();
    if (term.entity !== 'attribute') s.fail('experiments can be ordered by attributes only', 0);
    const dir = s.match(/ASC|DESC/i);
    if (!s.atEnd()) s.fail('expected ASC or DESC');
    return {
      entity: 'attribute' as const,
      key: term.key,
      ascending: dir?.toUpperCase() !== 'DESC',
    };
  });
  const kept = experiments.filter((e) =>
    clauses.every((c) => compareValue(c, experimentValue(e, c))),
  );
  // Numeric ids order as numbers: 2 before 10.
  const read = (e: Experiment, t: { entity: string; key: string }) =>
    t.key === 'experiment_id' ? Number(e.experimentId) : experimentValue(e, t);
  return terms.length === 0 ? kept : [...kept].sort(comparator(terms, read));
}
