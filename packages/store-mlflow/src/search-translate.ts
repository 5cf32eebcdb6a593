import { GraphtraceError, parseFilter, parseOrderBy } from '@graphtrace/core';
import type {
  FilterComparison,
  FilterDomain,
  FilterExpression,
  OrderByTerm,
} from '@graphtrace/core/store-kit';

/**
 * graphtrace parses every filter itself first (so a bad filter fails fast with INVALID_FILTER
 * and the column at fault), then re-writes it in the canonical form MLflow's parser accepts.
 * A clause MLflow cannot express exactly (IN on tags, a quote inside a value) is left out of the
 * server's filter; the client applies the whole filter to what comes back, so results are the
 * same on every store — a page may then hold fewer items than asked for.
 */

const TRACE_ATTRIBUTE: Record<string, string> = {
  status: 'status',
  timestamp_ms: 'timestamp_ms',
  execution_time_ms: 'execution_time_ms',
  name: 'name',
  run_id: 'run_id',
  trace_id: 'request_id',
  client_request_id: 'client_request_id',
};
const TRACE_ORDERABLE = new Set([
  'status',
  'timestamp_ms',
  'execution_time_ms',
  'name',
  'run_id',
  'request_id',
]);

const PREFIX: Record<FilterComparison['entity'], string> = {
  attribute: 'attributes',
  tag: 'tags',
  metadata: 'metadata',
  param: 'params',
  metric: 'metrics',
};

/** Operators MLflow accepts per entity (and per attribute kind). */
function serverAccepts(domain: FilterDomain, c: FilterComparison): boolean {
  const isIn = c.op === 'IN' || c.op === 'NOT IN';
  if (c.entity === 'tag' || c.entity === 'metadata' || c.entity === 'param') return !isIn;
  if (domain === 'traces' && c.entity === 'attribute' && isIn)
    return ['name', 'status', 'trace_id', 'run_id', 'client_request_id'].includes(c.key);
  return true;
}

function quoteString(s: string): string | null {
  // MLflow strips the quotes of a literal but does not unescape it: no quote or backslash inside.
  if (/['"\\]/.test(s)) return null;
  return `'${s}'`;
}

function keyRef(
  c: { entity: FilterComparison['entity']; key: string },
  domain: FilterDomain,
): string | null {
  if (c.entity === 'attribute') {
    const name = domain === 'traces' ? TRACE_ATTRIBUTE[c.key] : c.key;
    return name ? `attributes.${name}` : null;
  }
  if (c.key.includes('`')) return null;
  return `${PREFIX[c.entity]}.\`${c.key}\``;
}

function clauseText(c: FilterComparison, domain: FilterDomain): string | null {
  if (!serverAccepts(domain, c)) return null;
  const ref = keyRef(c, domain);
  if (!ref) return null;
  let value: string | null;
  if (Array.isArray(c.value)) {
    const items = c.value.map(quoteString);
    if (items.some((i) => i === null) || items.length === 0) return null;
    value = `(${items.join(', ')})`;
  } else if (typeof c.value === 'number') {
    if (!Number.isFinite(c.value)) return null;
    value = String(c.value);
  } else {
    value = quoteString(c.value);
  }
  return value === null ? null : `${ref} ${c.op} ${value}`;
}

export interface TranslatedSearch {
  /** The whole parsed filter, for checking results client-side. */
  filter: FilterExpression;
  /** What the server is asked; undefined when nothing can be delegated. */
  serverFilter: string | undefined;
  /** True when some clause was not delegated: results must be checked client-side. */
  partial: boolean;
  orderBy: string[];
}

export function translateSearch(
  domain: FilterDomain,
  filterText: string | undefined,
  orderByTerms: readonly string[] | undefined,
): TranslatedSearch {
  const filter = parseFilter(filterText, domain);
  const order = parseOrderBy(orderByTerms, domain);
  const parts: string[] = [];
  let partial = false;
  for (const c of filter.clauses) {
    const t = clauseText(c, domain);
    if (t === null) partial = true;
    else parts.push(t);
  }
  return {
    filter,
    serverFilter: parts.length > 0 ? parts.join(' AND ') : undefined,
    partial,
    orderBy: order.map((o) => orderText(o, domain)),
  };
}

function orderText(o: OrderByTerm, domain: FilterDomain): string {
  const ref = keyRef(o, domain);
  const name = ref?.replace(/^attributes\./, '');
  if (!ref || (domain === 'traces' && o.entity === 'attribute' && !TRACE_ORDERABLE.has(name!))) {
    throw new GraphtraceError(
      'INVALID_ORDER_BY',
      `an MLflow server cannot order ${domain} by ${o.entity} \`${o.key}\`; order by one of ${[...TRACE_ORDERABLE].join(', ')}`,
    );
  }
  return `${ref} ${o.ascending ? 'ASC' : 'DESC'}`;
}
