import {
  GraphtraceError,
  type Span,
  SpanAttributeKey,
  type SpanStatusCode,
} from '@graphtrace/core';
import { type HrTime, SpanKind, type SpanStatus, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { emptyResource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * Spans travel to MLflow's `/v1/traces` as OTLP/HTTP protobuf, encoded by OpenTelemetry's own
 * serializer from ReadableSpan-shaped records. MLflow's receiver (`Span.from_otel_proto`)
 * decodes each attribute's AnyValue and JSON-encodes it for storage, so attribute values are
 * sent as plain values (objects as kvlists), never as JSON text — that would be encoded twice.
 * The MLflow trace id is `tr-` + the OTLP trace id in hex; the server derives it, and
 * `mlflow.traceRequestId` with it.
 */

const SCOPE = { name: 'graphtrace' } as const;
const RESOURCE = emptyResource();
const STATUS_CODE: Record<SpanStatusCode, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const NS_PER_S = 1_000_000_000n;

function hrTime(ns: bigint | null): HrTime {
  if (ns === null) return [0, 0];
  return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
}

const OTEL_TRACE_ID = /^tr-([0-9a-f]{32})$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** The OTLP trace id (32 hex) of an MLflow trace id; throws for ids MLflow did not derive from OTLP. */
export function otelTraceId(traceId: string): string {
  const m = OTEL_TRACE_ID.exec(traceId);
  if (!m) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `trace id "${traceId}" cannot be sent over OTLP: MLflow servers take trace ids of the form tr-<32 lowercase hex>`,
    );
  }
  return m[1]!;
}

/** A ReadableSpan over one graphtrace span: only what the OTLP serializer reads. */
export function toReadableSpan(span: Span): ReadableSpan {
  const traceId = otelTraceId(span.traceId);
  if (!HEX16.test(span.spanId) || (span.parentSpanId !== null && !HEX16.test(span.parentSpanId))) {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      `span ${span.spanId} of ${span.traceId} has an id that is not 16 lowercase hex`,
    );
  }
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (v !== undefined && k !== SpanAttributeKey.TRACE_ID) attributes[k] = v;
  }
  attributes[SpanAttributeKey.SPAN_TYPE] = span.spanType;
  const status: SpanStatus = { code: STATUS_CODE[span.status.code] };
  if (span.status.message) status.message = span.status.message;
  const spanContext = { traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  const start = hrTime(span.startTimeUnixNano);
  const end = hrTime(span.endTimeUnixNano);
  return {
    name: span.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => spanContext,
    ...(span.parentSpanId
      ? {
          parentSpanContext: {
            traceId,
            spanId: span.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
          },
        }
      : {}),
    startTime: start,
    endTime: end,
    status,
    // Plain JSON values: the serializer writes objects as kvlists and arrays as arrays, which
    // the ReadableSpan attribute type does not spell out.
    attributes: attributes as ReadableSpan['attributes'],
    links: (span.links ?? []).map((l) => ({
      context: {
        traceId: l.traceId.replace(/^tr-/, ''),
        spanId: l.spanId,
        traceFlags: TraceFlags.SAMPLED,
      },
      attributes: (l.attributes ?? {}) as ReadableSpan['attributes'],
      droppedAttributesCount: 0,
    })),
    events: span.events.map((e) => ({
      name: e.name,
      time: hrTime(e.timeUnixNano),
      attributes: e.attributes as ReadableSpan['attributes'],
    })),
    duration: [0, 0],
    ended: span.endTimeUnixNano !== null,
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** One ExportTraceServiceRequest (protobuf bytes) holding these spans. */
export function encodeSpans(spans: readonly Span[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans.map(toReadableSpan));
  if (!bytes) throw new GraphtraceError('INTERNAL', 'the OTLP serializer produced no bytes');
  return bytes;
}

// ---- reading spans back (GetTrace answers with OTLP spans in protobuf JSON)

interface AnyValueJson {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number | string;
  bytes_value?: string;
  array_value?: { values?: AnyValueJson[] };
  kvlist_value?: { values?: KeyValueJson[] };
}
interface KeyValueJson {
  key: string;
  value?: AnyValueJson;
}
export interface OtlpSpanJson {
  trace_id?: string;
  span_id?: string;
  parent_span_id?: string;
  name?: string;
  start_time_unix_nano?: string | number;
  end_time_unix_nano?: string | number;
  attributes?: KeyValueJson[];
  events?: { time_unix_nano?: string | number; name?: string; attributes?: KeyValueJson[] }[];
  links?: { trace_id?: string; span_id?: string; attributes?: KeyValueJson[] }[];
  status?: { code?: string; message?: string };
}

// int64 fields arrive as bare JSON numbers (MLflow's encoder turns them back from strings):
// quote them before JSON.parse rounds nanosecond times and big ints to doubles.
const INT64_FIELDS =
  /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano|int_value)"(\s*):(\s*)(-?\d+)/g;

export function parseJsonKeepingInt64(text: string): unknown {
  return JSON.parse(text.replace(INT64_FIELDS, '"$1"$2:$3"$4"'));
}

function decodeAnyValue(v: AnyValueJson | undefined): unknown {
  if (!v) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.bool_value !== undefined) return v.bool_value;
  // Beyond 2^53 a JS number is the closest the model can hold.
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.double_value !== undefined) return Number(v.double_value);
  if (v.array_value !== undefined) return (v.array_value.values ?? []).map(decodeAnyValue);
  if (v.kvlist_value !== undefined)
    return Object.fromEntries(
      (v.kvlist_value.values ?? []).map((kv) => [kv.key, decodeAnyValue(kv.value)]),
    );
  if (v.bytes_value !== undefined) return v.bytes_value;
  return null;
}

function decodeAttributes(list: KeyValueJson[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = decodeAnyValue(kv.value);
  return out;
}

const b64hex = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('hex');

function statusCode(code: string | undefined): SpanStatusCode {
  const c = (code ?? '').replace(/^STATUS_CODE_/, '');
  return c === 'OK' || c === 'ERROR' ? c : 'UNSET';
}

export function spanFromOtlpJson(s: OtlpSpanJson, fallbackTraceId: string): Span {
  const attributes = decodeAttributes(s.attributes);
  const requestId = attributes[SpanAttributeKey.TRACE_ID];
  const spanType = attributes[SpanAttributeKey.SPAN_TYPE];
  delete attributes[SpanAttributeKey.TRACE_ID];
  delete attributes[SpanAttributeKey.SPAN_TYPE];
  const end = s.end_time_unix_nano === undefined ? 0n : BigInt(s.end_time_unix_nano);
  const message = s.status?.message;
  return {
    traceId: typeof requestId === 'string' ? requestId : fallbackTraceId,
    spanId: b64hex(s.span_id),
    parentSpanId: s.parent_span_id ? b64hex(s.parent_span_id) : null,
    name: s.name ?? '',
    spanType: typeof spanType === 'string' ? spanType : 'UNKNOWN',
    startTimeUnixNano: BigInt(s.start_time_unix_nano ?? 0),
    endTimeUnixNano: end === 0n ? null : end,
    status: message
      ? { code: statusCode(s.status?.code), message }
      : { code: statusCode(s.status?.code) },
    attributes,
    events: (s.events ?? []).map((e) => ({
      name: e.name ?? '',
      timeUnixNano: BigInt(e.time_unix_nano ?? 0),
      attributes: decodeAttributes(e.attributes),
    })),
    ...(s.links?.length
      ? {
          links: s.links.map((l) => {
            const attributes = decodeAttributes(l.attributes);
            return {
              traceId: `tr-${b64hex(l.trace_id)}`,
              spanId: b64hex(l.span_id),
              attributes: Object.keys(attributes).length > 0 ? attributes : null,
            };
          }),
        }
      : {}),
  };
}
