import {
  type Span,
  SpanAttributeKey,
  type TraceInfo,
  TraceMetadataKey,
  TraceTagKey,
} from '@graphtrace/core';
import {
  boundedString,
  finiteFloatOrNone,
  jsonObject,
  pyJsonObject,
  tokenCountOrNone,
} from './mlflow-values.js';

/**
 * MLflow 3.17's analytics columns (`75868b020152`): where trace name, session, token counts and
 * costs live from that revision on, instead of tags, metadata and trace_metrics rows.
 */
export const TOKEN_COLUMNS = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation_input_tokens_above_1hr',
] as const;
export const COST_COLUMNS = ['input_cost', 'output_cost', 'total_cost'] as const;

export type TraceColumn = 'trace_name' | 'session_id' | TokenColumn | CostColumn;
type TokenColumn = (typeof TOKEN_COLUMNS)[number];
type CostColumn = (typeof COST_COLUMNS)[number];

export const TRACE_NAME_MAX_CHARS = 4096;
export const SESSION_ID_MAX_CHARS = 250;
export const MODEL_MAX_CHARS = 500;

/** Metadata keys whose values live in columns from 3.17 on (the rows are not written). */
export const PROMOTED_METADATA_KEYS: ReadonlySet<string> = new Set([
  TraceMetadataKey.SESSION,
  TraceMetadataKey.TOKEN_USAGE,
  TraceMetadataKey.COST,
]);

/**
 * The columns a trace info sets, only for what it supplies (a later info leaves the others as
 * they are). MLflow refuses a name over 4096 or a session over 250 characters and loses the
 * whole call; graphtrace keeps the trace and cuts them, as MLflow's own migration does.
 */
export function traceColumnsFromInfo(info: TraceInfo): Partial<Record<TraceColumn, unknown>> {
  const out: Partial<Record<TraceColumn, unknown>> = {};
  const name = info.tags[TraceTagKey.TRACE_NAME];
  if (name !== undefined) out.trace_name = boundedString(name, TRACE_NAME_MAX_CHARS);
  const metadata = info.traceMetadata;
  if (metadata[TraceMetadataKey.SESSION] !== undefined)
    out.session_id = boundedString(metadata[TraceMetadataKey.SESSION], SESSION_ID_MAX_CHARS);
  const usage = metadata[TraceMetadataKey.TOKEN_USAGE];
  if (usage !== undefined) {
    const parsed = jsonObject(usage);
    for (const c of TOKEN_COLUMNS) if (c in parsed) out[c] = tokenCountOrNone(parsed[c]);
  }
  const cost = metadata[TraceMetadataKey.COST];
  if (cost !== undefined) {
    const parsed = jsonObject(cost);
    for (const c of COST_COLUMNS) if (c in parsed) out[c] = finiteFloatOrNone(parsed[c]);
  }
  return out;
}

/** A span's model and cost, from its attributes, as the 3.17 `spans` columns hold them. */
export function spanAnalyticsColumns(span: Span): {
  model_name: string | null;
  model_provider: string | null;
  input_cost: number | null;
  output_cost: number | null;
  total_cost: number | null;
} {
  const cost = jsonObject(span.attributes[SpanAttributeKey.LLM_COST]);
  return {
    model_name: boundedString(span.attributes[SpanAttributeKey.MODEL], MODEL_MAX_CHARS),
    model_provider: boundedString(
      span.attributes[SpanAttributeKey.MODEL_PROVIDER],
      MODEL_MAX_CHARS,
    ),
    input_cost: finiteFloatOrNone(cost.input_cost),
    output_cost: finiteFloatOrNone(cost.output_cost),
    total_cost: finiteFloatOrNone(cost.total_cost),
  };
}

/** A string as Python's json.dumps writes it (non-ASCII escaped). */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * 3.10–3.16's `spans.dimension_attributes`: the model and provider attributes that are set, as
 * SQLAlchemy's JSON column writes them; the JSON text `null` when neither is.
 */
export function dimensionAttributesJson(span: Span): string {
  const parts: string[] = [];
  for (const key of [SpanAttributeKey.MODEL, SpanAttributeKey.MODEL_PROVIDER]) {
    const v = span.attributes[key];
    if (typeof v === 'string' && v !== '') parts.push(`${pyJsonString(key)}: ${pyJsonString(v)}`);
  }
  return parts.length === 0 ? 'null' : `{${parts.join(', ')}}`;
}

/** 3.10–3.16's `span_metrics` rows: every numeric entry of the span's cost. */
export function spanMetricRows(span: Span): [string, number][] {
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(jsonObject(span.attributes[SpanAttributeKey.LLM_COST]))) {
    const n = finiteFloatOrNone(v);
    if (n !== null) out.push([k, n]);
  }
  return out;
}

/** A `trace_info` row's analytics columns, as read back. */
export type TraceColumnsRow = Partial<Record<TraceColumn, string | number | null>>;

/**
 * The tag and metadata MLflow 3.17 shows for a trace from its columns: `mlflow.traceName`,
 * `mlflow.trace.session`, and `mlflow.trace.tokenUsage` / `mlflow.trace.cost` as the JSON its
 * read path writes.
 */
export function compatibilityFromColumns(row: TraceColumnsRow): {
  tags: Record<string, string>;
  metadata: Record<string, string>;
} {
  const tags: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  if (row.trace_name !== null && row.trace_name !== undefined)
    tags[TraceTagKey.TRACE_NAME] = String(row.trace_name);
  if (row.session_id !== null && row.session_id !== undefined)
    metadata[TraceMetadataKey.SESSION] = String(row.session_id);
  const tokens = TOKEN_COLUMNS.filter((c) => row[c] !== null && row[c] !== undefined).map(
    (c) => [c, Number(row[c]), 'int'] as [string, number, 'int'],
  );
  if (tokens.length > 0) metadata[TraceMetadataKey.TOKEN_USAGE] = pyJsonObject(tokens);
  const costs = COST_COLUMNS.filter((c) => row[c] !== null && row[c] !== undefined).map(
    (c) => [c, Number(row[c]), 'float'] as [string, number, 'float'],
  );
  if (costs.length > 0) metadata[TraceMetadataKey.COST] = pyJsonObject(costs);
  return { tags, metadata };
}
