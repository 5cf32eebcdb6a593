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

/** A span's status code as graphtrace stores it. */
export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

/**
 * The status codes as values, spelled as MLflow's TypeScript SDK spells them:
 * `span.setStatus(SpanStatusCode.ERROR)`. Every status argument takes either spelling.
 */
export const SpanStatusCode = {
  UNSET: 'STATUS_CODE_UNSET',
  OK: 'STATUS_CODE_OK',
  ERROR: 'STATUS_CODE_ERROR',
} as const;

export interface SpanStatus {
  code: SpanStatusCode;
  message?: string;
  /** MLflow's TypeScript SDK name for the code: `STATUS_CODE_OK`, … (live spans only). */
  readonly statusCode?: (typeof SpanStatusCode)[keyof typeof SpanStatusCode];
  /** MLflow's TypeScript SDK name for the message, `''` when there is none (live spans only). */
  readonly description?: string;
}

// The SDK's names as getters on the prototype: a copy of a status (`{ ...status }`, a store's
// row, a structured clone) carries `code` and `message` alone.
const statusNames = {
  get statusCode() {
    return SpanStatusCode[(this as unknown as SpanStatus).code];
  },
  get description() {
    return (this as unknown as SpanStatus).message ?? '';
  },
};

function makeStatus(code: SpanStatusCode, message?: string): SpanStatus {
  const status = Object.create(statusNames) as SpanStatus;
  status.code = code;
  if (message !== undefined) status.message = message;
  return status;
}

// Every span starts UNSET and most end OK without a message: one frozen status each, shared,
// keeps the span path free of an allocation per span (statuses are replaced, never changed).
const PLAIN: Record<SpanStatusCode, SpanStatus> = {
  UNSET: Object.freeze(makeStatus('UNSET')),
  OK: Object.freeze(makeStatus('OK')),
  ERROR: Object.freeze(makeStatus('ERROR')),
};

/** A status that also answers to the SDK's names (`statusCode`, `description`). */
export function spanStatus(code: SpanStatusCode, message?: string): SpanStatus {
  return message === undefined ? PLAIN[code] : makeStatus(code, message);
}

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, unknown>;
}

/**
 * A link to a span of this or another trace that is not this span's parent (OpenTelemetry's
 * span link; MLflow 3.13+ keeps them in the span JSON as `links`).
 */
export interface SpanLink {
  /** `tr-` + 32 lowercase hex. */
  traceId: string;
  /** 16 lowercase hex. */
  spanId: string;
  /** null when there are none, as MLflow writes it. */
  attributes: Record<string, unknown> | null;
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
  /** Absent or empty: no links. */
  links?: SpanLink[];
}

/**
 * The `Span` fields alone (live spans carry more, such as their trace), nothing copied: for
 * handing spans to something that copies them anyway (a structured clone, say).
 */
export function spanFields(span: Span): Span {
  // Literals, not spreads: this runs for every span on the traced program's thread.
  const out: Span = {
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
  if (span.links?.length) out.links = span.links;
  return out;
}

/**
 * A plain copy of the `Span` fields alone, safe to keep or send. Attribute values are shared:
 * they are already private copies made when they were set.
 */
export function spanRecord(span: Span): Span {
  const out = spanFields(span);
  out.status = { ...span.status };
  out.attributes = { ...span.attributes };
  out.events =
    span.events.length === 0
      ? []
      : span.events.map((e) => ({ ...e, attributes: { ...e.attributes } }));
  if (out.links)
    out.links = out.links.map((l) => ({ ...l, attributes: l.attributes && { ...l.attributes } }));
  return out;
}
