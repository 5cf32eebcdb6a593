import { GraphtraceError } from '../errors.js';
import { SpanAttributeKey } from '../model/keys.js';
import type { Span, SpanEvent, SpanStatusCode } from '../model/span.js';

/**
 * MLflow's span JSON (`Span.to_dict()`, stored in `spans.content` and in trace artifacts):
 * ids are base64 of the raw id bytes, times integer ns, status codes OTLP proto names, and every
 * attribute value is itself JSON text. `mlflow.traceRequestId` and `mlflow.spanType` live among
 * the attributes.
 */

const TO_PROTO: Record<SpanStatusCode, string> = {
  UNSET: 'STATUS_CODE_UNSET',
  OK: 'STATUS_CODE_OK',
  ERROR: 'STATUS_CODE_ERROR',
};

function statusFromProto(code: unknown): SpanStatusCode {
  const s = String(code ?? '').replace(/^STATUS_CODE_/, '');
  return s === 'OK' || s === 'ERROR' ? s : 'UNSET';
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}

/** Event attributes are OpenTelemetry attribute values: primitives or lists of them. */
function eventAttributeValue(v: unknown): unknown {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v;
  if (Array.isArray(v) && v.every((x) => ['string', 'number', 'boolean'].includes(typeof x)))
    return v;
  return JSON.stringify(v);
}

function eventJson(e: SpanEvent): string {
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.attributes)) attrs[k] = eventAttributeValue(v);
  return `{"name":${JSON.stringify(e.name)},"time_unix_nano":${e.timeUnixNano},"attributes":${JSON.stringify(attrs)}}`;
}

/** Encodes a span as MLflow's span JSON text. Times are written as exact integers. */
export function spanToMlflowJson(span: Span): string {
  const attributes: Record<string, string> = {};
  attributes[SpanAttributeKey.TRACE_ID] = JSON.stringify(span.traceId);
  attributes[SpanAttributeKey.SPAN_TYPE] = JSON.stringify(span.spanType);
  for (const [k, v] of Object.entries(span.attributes)) {
    if (k !== SpanAttributeKey.TRACE_ID && k !== SpanAttributeKey.SPAN_TYPE && v !== undefined)
      attributes[k] = JSON.stringify(v);
  }
  const otelTraceId = span.traceId.replace(/^tr-/, '');
  return [
    `{"trace_id":${JSON.stringify(hexToBase64(otelTraceId))}`,
    `"span_id":${JSON.stringify(hexToBase64(span.spanId))}`,
    `"parent_span_id":${span.parentSpanId ? JSON.stringify(hexToBase64(span.parentSpanId)) : 'null'}`,
    `"name":${JSON.stringify(span.name)}`,
    `"start_time_unix_nano":${span.startTimeUnixNano}`,
    `"end_time_unix_nano":${span.endTimeUnixNano ?? 'null'}`,
    `"events":[${span.events.map(eventJson).join(',')}]`,
    `"status":{"code":"${TO_PROTO[span.status.code]}","message":${JSON.stringify(span.status.message ?? '')}}`,
    `"attributes":${JSON.stringify(attributes)}}`,
  ].join(',');
}

// Integer times must survive parsing exactly: quote them before JSON.parse sees them.
const TIME_FIELDS = /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano)"\s*:\s*(-?\d+)/g;

function decodeAttribute(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // written by something that did not JSON-encode it
  }
}

/** Decodes MLflow's span JSON text. Throws a GraphtraceError (INVALID_SPAN_JSON) on bad input. */
export function spanFromMlflowJson(text: string): Span {
  let d: Record<string, any>;
  try {
    d = JSON.parse(text.replace(TIME_FIELDS, '"$1":"$2"'));
  } catch (err) {
    throw new GraphtraceError(
      'INVALID_SPAN_JSON',
      `span content is not JSON: ${(err as Error).message}`,
    );
  }
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((d.attributes ?? {}) as Record<string, unknown>))
    attrs[k] = decodeAttribute(v);
  const requestId = attrs[SpanAttributeKey.TRACE_ID];
  if (typeof requestId !== 'string' || typeof d.span_id !== 'string') {
    throw new GraphtraceError(
      'INVALID_SPAN_JSON',
      `span content lacks ${SpanAttributeKey.TRACE_ID} or span_id`,
    );
  }
  const spanType = attrs[SpanAttributeKey.SPAN_TYPE];
  delete attrs[SpanAttributeKey.TRACE_ID];
  delete attrs[SpanAttributeKey.SPAN_TYPE];
  const message = d.status?.message;
  return {
    traceId: requestId,
    spanId: base64ToHex(d.span_id),
    parentSpanId: d.parent_span_id ? base64ToHex(d.parent_span_id) : null,
    name: String(d.name ?? ''),
    spanType: typeof spanType === 'string' ? spanType : 'UNKNOWN',
    startTimeUnixNano: BigInt(d.start_time_unix_nano ?? 0),
    endTimeUnixNano:
      d.end_time_unix_nano === null || d.end_time_unix_nano === undefined
        ? null
        : BigInt(d.end_time_unix_nano),
    status: message
      ? { code: statusFromProto(d.status?.code), message: String(message) }
      : { code: statusFromProto(d.status?.code) },
    attributes: attrs,
    events: ((d.events ?? []) as Record<string, any>[]).map((e) => ({
      name: String(e.name ?? ''),
      timeUnixNano: BigInt(e.time_unix_nano ?? 0),
      attributes: (e.attributes ?? {}) as Record<string, unknown>,
    })),
  };
}
