import { FilterSyntaxError } from '../errors.js';
import type {
  FilterComparison,
  FilterDomain,
  FilterEntity,
  FilterExpression,
  FilterOp,
  FilterValue,
  OrderByTerm,
} from './ast.js';
import {
  type AttributeKind,
  attributeSpec,
  entityForPrefix,
  entityKind,
  knownAttributes,
  knownPrefixes,
  opsFor,
} from './domains.js';
import { FILTER_LIMITS } from './limits.js';
import { nearest } from './suggest.js';

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const KEY = /[A-Za-z0-9_.\-:/]+/y;
const NUMBER = /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/y;

interface Identifier {
  entity: FilterEntity;
  key: string;
  kind: AttributeKind;
  enumValues?: readonly string[];
  column: number;
}

/**
 * A small recursive-descent parser over the filter text. It never builds SQL: stores compile
 * the AST with bound parameters, and the memory store evaluates it directly.
 */
class Parser {
  private i = 0;
  /** Values of the IN lists read so far, for the filter-wide bound. */
  private inValues = 0;

  constructor(
    private readonly text: string,
    private readonly domain: FilterDomain,
    private readonly what: 'filter' | 'order_by' = 'filter',
  ) {}

  fail(problem: string, at = this.i): never {
    throw new FilterSyntaxError(this.text, at + 1, problem, this.what);
  }

  private skipWs(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  atEnd(): boolean {
    this.skipWs();
    return this.i >= this.text.length;
  }

  /** `'…'` or `"…"`; a backslash escapes the next character. */
  private quoted(): string | undefined {
    const q = this.text[this.i];
    if (q !== "'" && q !== '"' && q !== '`') return undefined;
    const start = this.i;
    let out = '';
    this.i++;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (ch === '\\' && this.i + 1 < this.text.length) {
        out += this.text[this.i + 1];
        this.i += 2;
        continue;
      }
      if (ch === q) {
        this.i++;
        return out;
      }
      out += ch;
      this.i++;
    }
    this.fail(
      `unterminated ${q === '`' ? 'backticked name' : 'string'}: add the closing ${q}`,
      start,
    );
  }

  identifier(): Identifier {
    this.skipWs();
    const start = this.i;
    const first = this.match(WORD);
    if (first === undefined) {
      this.fail(
        this.i >= this.text.length
          ? "expected a comparison such as `attributes.status = 'OK'` after AND"
          : `expected a name such as \`tags.env\`, found \`${this.text[this.i]}\``,
      );
    }
    if (this.text[this.i] !== '.') return this.attribute(first, start);

    const entity = entityForPrefix(this.domain, first);
    if (!entity) {
      const hint = nearest(first, knownPrefixes(this.domain));
      this.fail(
        `unknown prefix \`${first}.\`${hint ? `; did you mean \`${hint}.\`?` : ''} Use one of: ${knownPrefixes(
          this.domain,
        )
          .filter((p) => p.endsWith('s'))
          .map((p) => `${p}.`)
          .join(', ')}`,
        start,
      );
    }
    this.i++; // the dot
    const keyStart = this.i;
    const key = this.quoted() ?? this.match(KEY);
    if (key === undefined || key === '') this.fail(`expected a key after \`${first}.\``, keyStart);
    if (entity === 'attribute') return this.attribute(key, start);
    return { entity, key, kind: entityKind(entity), column: start + 1 };
  }

  private attribute(name: string, start: number): Identifier {
    const spec = attributeSpec(this.domain, name);
    if (!spec) {
      const hint = nearest(name, knownAttributes(this.domain));
      this.fail(
        `unknown attribute \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ''} (prefix tags., metadata., params. or metrics. for other keys)`,
        start,
      );
    }
    return {
      entity: 'attribute',
      key: spec.name,
      kind: spec.kind,
      ...(spec.values ? { enumValues: spec.values } : {}),
      column: start + 1,
    };
  }

  operator(id: Identifier): FilterOp {
    this.skipWs();
    const start = this.i;
    const sym = this.match(/!=|<>|<=|>=|=|<|>/y);
    let op: FilterOp | undefined;
    if (sym) op = sym === '<>' ? '!=' : (sym as FilterOp);
    else {
      const word = this.match(WORD)?.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') op = word;
      else if (word === 'NOT') {
        this.skipWs();
        if (this.match(WORD)?.toUpperCase() === 'IN') op = 'NOT IN';
        else this.fail('expected IN after NOT', start);
      }
    }
    if (!op) {
      this.fail(
        this.i >= this.text.length
          ? `expected an operator after \`${this.text.slice(id.column - 1, start).trim()}\``
          : `expected an operator (=, !=, <, >, <=, >=, LIKE, ILIKE, IN), found \`${this.text.slice(start).split(/\s/)[0]}\``,
        start,
      );
    }
    const allowed = opsFor(id.kind);
    if (!allowed.includes(op)) {
      this.fail(
        `\`${op}\` does not apply to ${describe(id)}; use one of ${allowed.join(', ')}`,
        start,
      );
    }
    return op;
  }

  value(id: Identifier, op: FilterOp): FilterValue {
    this.skipWs();
    const start = this.i;
    if (op === 'IN' || op === 'NOT IN') {
      if (this.text[this.i] !== '(')
        this.fail(`expected a parenthesised list after ${op}, like ('a', 'b')`);
      this.i++;
      const items: string[] = [];
      for (;;) {
        this.skipWs();
        const itemStart = this.i;
        const item = this.scalar(id);
        if (typeof item !== 'string') this.fail('IN lists hold quoted strings', itemStart);
        items.push(item);
        this.skipWs();
        if (this.text[this.i] === ',') {
          this.i++;
          continue;
        }
        if (this.text[this.i] === ')') {
          this.i++;
          break;
        }
        this.fail('expected `,` or `)` in the IN list');
      }
      if (items.length > FILTER_LIMITS.inListValues) {
        this.fail(
          `the ${op} list of ${describe(id)} has ${items.length} values; at most ${FILTER_LIMITS.inListValues} are allowed in one list: split the search into several`,
          start,
        );
      }
      this.inValues += items.length;
      if (this.inValues > FILTER_LIMITS.totalInValues) {
        this.fail(
          `the IN lists of this filter hold more than ${FILTER_LIMITS.totalInValues} values together (${this.inValues} up to this one), the most one filter may hold: split the search into several`,
          start,
        );
      }
      return items;
    }
    const v = this.scalar(id);
    if (id.kind === 'number' && typeof v !== 'number') {
      this.fail(`${describe(id)} is a number: write it without quotes, e.g. 1700000000000`, start);
    }
    if (id.kind !== 'number' && typeof v !== 'string') {
      this.fail(`${describe(id)} is a string: quote the value, e.g. '${v}'`, start);
    }
    return v;
  }

  private scalar(id: Identifier): string | number {
    const start = this.i;
    if (this.text[this.i] === "'" || this.text[this.i] === '"') {
      const s = this.quoted()!;
      if (id.enumValues && !id.enumValues.includes(s)) {
        this.fail(
          `${describe(id)} is one of ${id.enumValues.map((v) => `'${v}'`).join(', ')}; got '${s}'`,
          start,
        );
      }
      return s;
    }
    const num = this.match(NUMBER);
    if (num !== undefined) return Number(num);
    if (this.i >= this.text.length) this.fail(`expected a value after the operator`);
    const word = this.match(KEY) ?? this.text[this.i];
    this.fail(
      `expected a quoted string or a number, found \`${word}\`${id.kind !== 'number' ? ` (quote it: '${word}')` : ''}`,
      start,
    );
  }

  conjunction(): void {
    this.skipWs();
    const start = this.i;
    const word = this.match(WORD)?.toUpperCase();
    if (word === 'AND') return;
    if (word === 'OR')
      this.fail('OR is not supported by MLflow search; combine conditions with AND', start);
    this.fail(
      `expected AND between conditions, found \`${this.text.slice(start).split(/\s/)[0]}\``,
      start,
    );
  }

  /** `name [ASC|DESC]` */
  orderTerm(): OrderByTerm {
    if (this.atEnd()) {
      // Otherwise the identifier reader would ask for a comparison "after AND".
      const example = this.domain === 'traces' ? 'timestamp_ms DESC' : 'metrics.accuracy DESC';
      this.fail(
        `the order_by term is empty; expected \`column [ASC|DESC]\`, e.g. \`${example}\``,
        0,
      );
    }
    const id = this.identifier();
    let ascending = true;
    if (!this.atEnd()) {
      const start = this.i;
      const dir = this.match(WORD)?.toUpperCase();
      if (dir === 'DESC') ascending = false;
      else if (dir !== 'ASC') this.fail('expected ASC or DESC', start);
    }
    if (!this.atEnd()) this.fail('unexpected text after the sort direction');
    return { entity: id.entity, key: id.key, ascending };
  }
}

function describe(id: Identifier): string {
  return id.entity === 'attribute' ? `attribute \`${id.key}\`` : `${id.entity} \`${id.key}\``;
}

/**
 * Parses an MLflow search filter (`attributes.status = 'OK' AND tags.env LIKE 'prod%'`) into a
 * typed AST. Throws `FilterSyntaxError` (code INVALID_FILTER) pointing at the column at fault.
 */
export function parseFilter(
  text: string | undefined | null,
  domain: FilterDomain,
): FilterExpression {
  const clauses: FilterComparison[] = [];
  if (!text || text.trim() === '') return { clauses };
  const p = new Parser(text, domain);
  for (;;) {
    const id = p.identifier();
    const op = p.operator(id);
    const value = p.value(id, op);
    clauses.push({ entity: id.entity, key: id.key, op, value, column: id.column });
    if (p.atEnd()) break;
    p.conjunction();
  }
  if (clauses.length > FILTER_LIMITS.comparisons) {
    p.fail(
      `this filter has ${clauses.length} comparisons; at most ${FILTER_LIMITS.comparisons} are allowed (joined by AND): drop some conditions or split the search`,
      clauses[FILTER_LIMITS.comparisons]!.column - 1,
    );
  }
  return { clauses };
}

/** Parses MLflow `order_by` terms such as `timestamp_ms DESC` or `metrics.acc ASC`. */
export function parseOrderBy(
  terms: readonly string[] | undefined,
  domain: FilterDomain,
): OrderByTerm[] {
  return (terms ?? []).map((t) => new Parser(t, domain, 'order_by').orderTerm());
}
