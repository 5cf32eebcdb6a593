import { GraphtraceError } from '../errors.js';
import { SpanAttributeKey } from '../model/keys.js';
import type { Span, SpanEvent, SpanLink, SpanStatusCode } from '../model/span.js';

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

/** A link as MLflow's `Link.to_dict()`: the ids as text (`tr-…`, 16 hex), not base64. */
function linkJson(l: SpanLink): Record<string, unknown> {
  return { trace_id: l.traceId, span_id: l.spanId, attributes: l.attributes };
}

function linkFrom(d: unknown): SpanLink | null {
  if (d === null || typeof d !== 'object') return null;
  const o = d as Record<string, unknown>;
  if (typeof o.trace_id !== 'string' || typeof o.span_id !== 'string') return null;
  const attrs = o.attributes;
  return {
    traceId: o.trace_id,
    spanId: o.span_id,
    attributes:
      attrs !== null && typeof attrs === 'object' ? (attrs as Record<string, unknown>) : null,
  };
}

/** The JSON string of the base64 of a hex id. */
const base64Id = (hex: string): string => JSON.stringify(hexToBase64(hex));

/** The span JSON around its attributes object (given as JSON text); `id` writes ids. */
function spanJson(span: Span, attributes: string, id: (hex: string) => string): string {
  // One concatenation, not an array joined: this runs for every span a store writes.
  const parent = span.parentSpanId ? id(span.parentSpanId) : 'null';
  const events = span.events.length === 0 ? '' : span.events.map(eventJson).join(',');
  // Only spans with links carry the key, so every other span is written as before.
  const links = span.links?.length ? `,"links":${JSON.stringify(span.links.map(linkJson))}` : '';
  return (
    `{"trace_id":${id(span.traceId.replace(/^tr-/, ''))},"span_id":${id(span.spanId)}` +
    `,"parent_span_id":${parent},"name":${JSON.stringify(span.name)}` +
    `,"start_time_unix_nano":${span.startTimeUnixNano}` +
    `,"end_time_unix_nano":${span.endTimeUnixNano ?? 'null'},"events":[${events}]` +
    `,"status":{"code":"${TO_PROTO[span.status.code]}","message":${JSON.stringify(span.status.message ?? '')}}` +
    `${links},"attributes":${attributes}}`
  );
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
  return spanJson(span, JSON.stringify(attributes), base64Id);
}

/**
 * The span as an object of MLflow's span JSON shape (MLflow's TypeScript SDK `toJson()`):
 * ids base64, times bigint ns, attribute values as values rather than JSON text.
 */
export function spanToMlflowObject(span: Span): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    [SpanAttributeKey.TRACE_ID]: span.traceId,
    [SpanAttributeKey.SPAN_TYPE]: span.spanType,
  };
  for (const [k, v] of Object.entries(span.attributes)) if (v !== undefined) attributes[k] ??= v;
  return {
    trace_id: hexToBase64(span.traceId.replace(/^tr-/, '')),
    span_id: hexToBase64(span.spanId),
    parent_span_id: span.parentSpanId ? hexToBase64(span.parentSpanId) : null,
    name: span.name,
    start_time_unix_nano: span.startTimeUnixNano,
    end_time_unix_nano: span.endTimeUnixNano,
    events: span.events.map((e) => ({
      name: e.name,
      time_unix_nano: e.timeUnixNano,
      attributes: { ...e.attributes },
    })),
    status: { code: TO_PROTO[span.status.code], message: span.status.message ?? '' },
    links: (span.links ?? []).map(linkJson),
    attributes,
  };
}

/** A key an object orders before its others: an array index ("0", "17"; not "01", "-1"). */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/** JSON text escaped as the inside of a JSON string (how span JSON holds attribute values). */
const escapedOf = (json: string): string => JSON.stringify(json).slice(1, -1);

const leaf = (v: unknown): string | undefined => {
  const json = JSON.stringify(v);
  return json === undefined ? undefined : escapedOf(json);
};

/** What JSON.stringify escapes in a string (surrogates: only lone ones, but pairs are rare). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `leaf` without the two JSON.stringify passes for the common primitives: a string with nothing
 * to escape is itself between escaped quotes, and a finite number's JSON is its String().
 */
const fastLeaf = (v: unknown): string | undefined => {
  switch (typeof v) {
    case 'string':
      return NEEDS_ESCAPE.test(v) ? escapedOf(JSON.stringify(v)) : `\\"${v}\\"`;
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return leaf(v);
  }
};

/**
 * Encodes spans as `spanToMlflowJson` does, remembering the text of every object it encoded:
 * the spans of one trace share values (each turn's conversation sits in the inputs of the node,
 * the prompt and the model), which are then encoded once instead of once per span. Made for one
 * batch of spans whose values do not change while it is in use.
 */
export function mlflowSpanEncoder(): (span: Span) => string {
  // A Map, not a WeakMap: the encoder lives for one batch, and Map lookups are cheaper.
  const objects = new Map<object, string>();
  const flattened = new Set<object>();
  const base64 = new Map<string, string>();
  const idOf = (hex: string): string => {
    let b = base64.get(hex);
    if (b === undefined) {
      b = base64Id(hex);
      base64.set(hex, b);
    }
    return b;
  };

  // The escaped JSON text of a value, by JSON.stringify's rules, piece by piece. Escaping is per
  // character and pieces end on token boundaries, so the escaped text of a whole is the escaped
  // texts of its pieces joined.
  // (`key` is a number for array items: toJSON alone needs it as text.)
  const encode = (v: unknown, key: string | number): string | undefined => {
    if (v === null || typeof v !== 'object') return fastLeaf(v);
    const known = objects.get(v);
    if (known !== undefined) {
      // A text built piece by piece is a rope that every span using it would walk again when
      // its JSON is flattened; flatten it once, on first reuse (V8 flattens a string it
      // converts to a number). Measured: a fifth less encoding time on a ReAct trace.
      if (!flattened.has(v)) {
        flattened.add(v);
        Number(known);
      }
      return known;
    }
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
      return encode((v as { toJSON(key: string): unknown }).toJSON(String(key)), key);
    if (v instanceof Number || v instanceof String || v instanceof Boolean) return leaf(v);
    let out: string;
    if (Array.isArray(v)) {
      out = '[';
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += ',';
        out += encode(v[i], i) ?? 'null';
      }
      out += ']';
    } else {
      out = '{';
      for (const k of Object.keys(v)) {
        const item = encode((v as Record<string, unknown>)[k], k);
        if (item === undefined) continue;
        if (out.length > 1) out += ',';
        out += `${fastLeaf(k)}:${item}`;
      }
      out += '}';
    }
    objects.set(v, out);
    return out;
  };

  // Attribute keys as JSON text: the same few keys recur in every span.
  const keys = new Map<string, string>();
  const keyOf = (k: string): string => {
    let json = keys.get(k);
    if (json === undefined) {
      json = JSON.stringify(k);
      keys.set(k, json);
    }
    return json;
  };
  const TRACE_ID_KEY = JSON.stringify(SpanAttributeKey.TRACE_ID);
  const SPAN_TYPE_KEY = JSON.stringify(SpanAttributeKey.SPAN_TYPE);

  return (span) => {
    // Keys in the order spanToMlflowJson's object gives them: array-index keys first (an object
    // orders them so; Object.keys lists them first too), then its two own keys, then the rest.
    const own = `${TRACE_ID_KEY}:"${escapedOf(JSON.stringify(span.traceId))}",${SPAN_TYPE_KEY}:"${escapedOf(JSON.stringify(span.spanType))}"`;
    let attributes = '';
    let ownWritten = false;
    for (const k of Object.keys(span.attributes)) {
      if (k === SpanAttributeKey.TRACE_ID || k === SpanAttributeKey.SPAN_TYPE) continue;
      if (!ownWritten && !isIndexKey(k)) {
        attributes += attributes ? `,${own}` : own;
        ownWritten = true;
      }
      const item = encode(span.attributes[k], '');
      if (item !== undefined) attributes += `${attributes ? ',' : ''}${keyOf(k)}:"${item}"`;
    }
    if (!ownWritten) attributes += attributes ? `,${own}` : own;
    return spanJson(span, `{${attributes}}`, idOf);
  };
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
    ...linksFrom(d.links),
  };
}

function linksFrom(raw: unknown): { links?: SpanLink[] } {
  if (!Array.isArray(raw)) return {};
  const links = raw.map(linkFrom).filter((l): l is SpanLink => l !== null);
  return links.length > 0 ? { links } : {};
}
