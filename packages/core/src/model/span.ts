/** The span types MLflow 3.9 knows (`mlflow.spanType`). */
export const SpanType = {
  LLM: 'LLM',
  CHAT_MODEL: 'CHAT_MODEL',
  CHAIN: 'CHAIN',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  RETRIEVER: 'RETRIEVER',
  EMBEDDING: 'EMBEDDING',
  PARSER: 'PARSER',
  RERANKER: 'RERANKER',
  MEMORY: 'MEMORY',
  WORKFLOW: 'WORKFLOW',
  TASK: 'TASK',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
  UNKNOWN: 'UNKNOWN',
} as const;
export type SpanType = (typeof SpanType)[keyof typeof SpanType];

export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface SpanStatus {
  code: SpanStatusCode;
  message?: string;
}

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, unknown>;
}

/**
 * A finished (or, for readers, possibly unfinished) span. Attribute values are plain JSON
 * values; stores encode each one as JSON text, as MLflow does. Inputs and outputs live in the
 * `mlflow.spanInputs` / `mlflow.spanOutputs` attributes.
 */
export interface Span {
  /** The MLflow trace id: `tr-` + 32 lowercase hex. */
  traceId: string;
  /** 16 lowercase hex. */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  spanType: string;
  /** ns since epoch */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint | null;
  status: SpanStatus;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
}

/**
 * The `Span` fields alone (live spans carry more, such as their trace), nothing copied: for
 * handing spans to something that copies them anyway (a structured clone, say).
 */
export function spanFields(span: Span): Span {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    spanType: span.spanType,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
  };
}

/**
 * A plain copy of the `Span` fields alone, safe to keep or send. Attribute values are shared:
 * they are already private copies made when they were set.
 */
export function spanRecord(span: Span): Span {
  return {
    ...spanFields(span),
    status: { ...span.status },
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ ...e, attributes: { ...e.attributes } })),
  };
}
