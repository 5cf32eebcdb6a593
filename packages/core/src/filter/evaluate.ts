import { TraceMetadataKey, TraceTagKey } from '../model/keys.js';
import type { Run } from '../model/run.js';
import type { TraceInfo } from '../model/trace.js';
import type { FilterComparison, FilterExpression, OrderByTerm } from './ast.js';

type Scalar = string | number | null | undefined;

const likeCache = new Map<string, RegExp>();

/** SQL LIKE semantics: `%` any run, `_` one character; LIKE is case-sensitive, ILIKE not. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = likeCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (likeCache.size > 500) likeCache.clear();
    likeCache.set(cacheKey, re);
  }
  return re;
}

/** Whether one comparison holds. A missing value (absent tag, metric…) never matches. */
export function compareValue(c: FilterComparison, actual: Scalar): boolean {
  if (actual === null || actual === undefined) return false;
  const v = c.value;
  switch (c.op) {
    case '=':
      return actual === v;
    case '!=':
      return actual !== v;
    case '<':
      return (actual as number) < (v as number);
    case '>':
      return (actual as number) > (v as number);
    case '<=':
      return (actual as number) <= (v as number);
    case '>=':
      return (actual as number) >= (v as number);
    case 'LIKE':
      return likeToRegExp(v as string, false).test(String(actual));
    case 'ILIKE':
      return likeToRegExp(v as string, true).test(String(actual));
    case 'IN':
      return (v as string[]).includes(String(actual));
    case 'NOT IN':
      return !(v as string[]).includes(String(actual));
  }
}

export function traceValue(info: TraceInfo, term: { entity: string; key: string }): Scalar {
  switch (term.entity) {
    case 'tag':
      return info.tags[term.key];
    case 'metadata':
      return info.traceMetadata[term.key];
    case 'attribute':
      switch (term.key) {
        case 'status':
          return info.state;
        case 'timestamp_ms':
          return info.requestTime;
        case 'execution_time_ms':
          return info.executionDuration;
        case 'name':
          return info.tags[TraceTagKey.TRACE_NAME];
        case 'run_id':
          return info.traceMetadata[TraceMetadataKey.SOURCE_RUN];
        case 'trace_id':
          return info.traceId;
        case 'client_request_id':
          return info.clientRequestId;
      }
  }
  return undefined;
}

export function runValue(run: Run, term: { entity: string; key: string }): Scalar {
  switch (term.entity) {
    case 'tag':
      return run.data.tags[term.key];
    case 'param':
      return run.data.params[term.key];
    case 'metric':
      return run.data.metrics.find((m) => m.key === term.key)?.value;
    case 'attribute':
      switch (term.key) {
        case 'status':
          return run.info.status;
        case 'start_time':
          return run.info.startTime;
        case 'end_time':
          return run.info.endTime;
        case 'run_name':
          return run.info.runName;
        case 'run_id':
          return run.info.runId;
        case 'user_id':
          return run.info.userId;
        case 'artifact_uri':
          return run.info.artifactUri;
      }
  }
  return undefined;
}

export function matches<T>(
  expr: FilterExpression,
  item: T,
  read: (item: T, c: FilterComparison) => Scalar,
): boolean {
  return expr.clauses.every((c) => compareValue(c, read(item, c)));
}

/** Orders by the terms in turn; missing values sort last whatever the direction, as in MLflow. */
export function comparator<T>(
  terms: readonly OrderByTerm[],
  read: (item: T, t: OrderByTerm) => Scalar,
): (a: T, b: T) => number {
  return (a, b) => {
    for (const t of terms) {
      const x = read(a, t);
      const y = read(b, t);
      const xMissing = x === null || x === undefined;
      const yMissing = y === null || y === undefined;
      if (xMissing || yMissing) {
        if (xMissing && yMissing) continue;
        return xMissing ? 1 : -1;
      }
      if (x === y) continue;
      const order = x < y ? -1 : 1;
      return t.ascending ? order : -order;
    }
    return 0;
  };
}
