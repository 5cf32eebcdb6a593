import { type SpanStatus, type SpanStatusCode, spanStatus } from '../model/span.js';
import { maskSecretsInText, truncationMarker } from './sanitize.js';

/**
 * The tracing API's boundary: whatever a caller passes (a number as a name, a string as a time,
 * an object that throws when printed), it becomes a value a store can take, or is dropped alone.
 * Nothing here throws, and nothing costs more than the bounded text it returns.
 */

/** Span and trace names: MLflow 3.17 refuses a trace name (the root's) over 4096 characters. */
export const MAX_NAME_CHARS = 4096;
/** `spans.type` is VARCHAR(500). */
export const MAX_SPAN_TYPE_CHARS = 500;
/** MLflow cuts trace tag values at 8000 characters; metadata gets the same bound. */
export const MAX_TAG_VALUE_CHARS = 8000;
/** MLflow's key limit for tags, params and metadata. */
export const MAX_KEY_CHARS = 250;

/** `text` cut to `max` characters, the cut marked. */
export function bounded(text: string, max: number): string {
  return text.length <= max
    ? text
    : text.slice(0, max) + truncationMarker(text.length - max, 'chars');
}

/**
 * A short printable form of any value, never calling code that could hang or throw past us:
 * strings as they are, other primitives by String, objects by their class name and own
 * `message` when it is a string (as Errors have), never by their own toString.
 */
export function safeText(value: unknown, max: number): string {
  try {
    switch (typeof value) {
      case 'string':
        return bounded(value, max);
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return String(value);
      case 'symbol':
        return bounded(value.toString(), max);
      case 'function':
        return `[Function ${bounded(String((value as { name?: unknown }).name ?? ''), 100) || 'anonymous'}]`;
    }
    if (value === null) return 'null';
    const message = ownString(value as object, 'message');
    if (message !== undefined) return bounded(message, max);
    return `[object ${className(value as object)}]`;
  } catch {
    return '[unprintable value]';
  }
}

/** An own or inherited string property read without letting a getter or Proxy throw at us. */
function ownString(o: object, key: string): string | undefined {
  try {
    const v = (o as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function className(o: object): string {
  try {
    const name = Object.getPrototypeOf(o)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? bounded(name, 100) : 'Object';
  } catch {
    return 'Object';
  }
}

/** A thrown value as an exception event describes it: type, message and (bounded) stack. */
export function describeThrown(
  value: unknown,
  max: number,
): { type: string; message: string; stack?: string } {
  if (value !== null && typeof value === 'object') {
    const name = ownString(value, 'name');
    const stack = ownString(value, 'stack');
    const type = name !== undefined && name !== '' ? bounded(name, 200) : className(value);
    const message = ownString(value, 'message') ?? safeText(value, max);
    return stack === undefined
      ? { type, message: bounded(message, max) }
      : { type, message: bounded(message, max), stack: bounded(stack, max) };
  }
  return { type: 'Error', message: safeText(value, max) };
}

/** A name for a span: text, bounded, secrets masked; a missing or empty one becomes `fallback`. */
export function coerceName(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  return maskSecretsInText(
    typeof value === 'string' ? bounded(value, MAX_NAME_CHARS) : safeText(value, MAX_NAME_CHARS),
  );
}

/** A span type: text, bounded. */
export function coerceSpanType(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  return typeof value === 'string'
    ? bounded(value, MAX_SPAN_TYPE_CHARS)
    : safeText(value, MAX_SPAN_TYPE_CHARS);
}

const MAX_NS = 2n ** 63n - 1n;

/**
 * A time in ns since the epoch, from a bigint, a number of ns (as MLflow's TypeScript SDK
 * takes them), a Date, or a string of digits; undefined for anything else (the caller then
 * uses now).
 */
export function coerceTimeNs(value: unknown): bigint | undefined {
  try {
    let ns: bigint | undefined;
    if (typeof value === 'bigint') ns = value;
    else if (typeof value === 'number' && Number.isFinite(value)) ns = BigInt(Math.round(value));
    else if (value instanceof Date && Number.isFinite(value.getTime()))
      ns = BigInt(value.getTime()) * 1_000_000n;
    else if (typeof value === 'string' && /^\s*\d{1,19}\s*$/.test(value)) ns = BigInt(value.trim());
    return ns !== undefined && ns >= 0n && ns <= MAX_NS ? ns : undefined;
  } catch {
    return undefined;
  }
}

const CODES: Record<string, SpanStatusCode> = {
  UNSET: 'UNSET',
  OK: 'OK',
  ERROR: 'ERROR',
  STATUS_CODE_UNSET: 'UNSET',
  STATUS_CODE_OK: 'OK',
  STATUS_CODE_ERROR: 'ERROR',
};
const OTEL_CODES: Record<number, SpanStatusCode> = { 0: 'UNSET', 1: 'OK', 2: 'ERROR' };

function codeOf(value: unknown): SpanStatusCode | undefined {
  if (typeof value === 'string') return CODES[value.toUpperCase()];
  if (typeof value === 'number') return OTEL_CODES[value];
  return undefined;
}

/**
 * A status from the forms callers use: a code (`'ERROR'`, MLflow's `'STATUS_CODE_ERROR'`,
 * OpenTelemetry's numbers) or an object with `code`/`statusCode` and `message`/`description`;
 * undefined when no code can be read (the span keeps its status).
 */
export function coerceStatus(value: unknown, message?: unknown): SpanStatus | undefined {
  try {
    let code = codeOf(value);
    let text = message;
    if (code === undefined && value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      code = codeOf(o.code) ?? codeOf(o.statusCode) ?? codeOf(o.status_code);
      text ??= o.message ?? o.description;
    }
    if (code === undefined) return undefined;
    return text === undefined || text === null || text === ''
      ? spanStatus(code)
      : spanStatus(code, maskSecretsInText(safeText(text, MAX_TAG_VALUE_CHARS)));
  } catch {
    return undefined;
  }
}
