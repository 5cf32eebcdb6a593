import type {
  Attributes,
  Exception,
  Link,
  Span as OtelSpan,
  SpanStatus as OtelSpanStatus,
  SpanContext,
  TimeInput,
} from '@opentelemetry/api';
import { errorMessage } from '../errors.js';
import { spanToMlflowObject } from '../mlflow/span-json.js';
import { SpanAttributeKey } from '../model/keys.js';
import {
  type Span,
  type SpanEvent,
  type SpanLink,
  type SpanStatus,
  type SpanStatusCode,
  spanStatus,
} from '../model/span.js';
import type { ActiveTrace } from './active-trace.js';
import {
  coerceName,
  coerceSpanType,
  coerceStatus,
  coerceTimeNs,
  describeThrown,
  MAX_KEY_CHARS,
  MAX_TAG_VALUE_CHARS,
  safeText,
} from './coerce.js';
import { maskSecretsInText } from './sanitize.js';
import {
  convertDeep,
  immutableMemo,
  PayloadBuild,
  type PayloadOptions,
  rememberImmutable,
} from './shared-payload.js';
import { runSpanHooks } from './span-hooks.js';

/** A status as any caller spells it: graphtrace's, MLflow's SDK's, or OpenTelemetry's. */
export type SpanStatusInput =
  | SpanStatus
  | SpanStatusCode
  | (typeof SpanStatusCode)[keyof typeof SpanStatusCode]
  | OtelSpanStatus;

export interface EndSpanOptions {
  outputs?: unknown;
  /** Set before the span ends, as `setAttributes` would. */
  attributes?: Record<string, unknown>;
  status?: SpanStatusInput;
  /** ns since epoch (a bigint, or a number of ns); defaults to now. */
  endTimeNs?: bigint | number;
}

/** OpenTelemetry's time tuple, `[seconds, nanoseconds]`, as MLflow's SDK gives span times. */
export type HrTime = [number, number];

/** ns since epoch → `[seconds, nanoseconds]`. */
export const hrTime = (ns: bigint): HrTime => [
  Number(ns / 1_000_000_000n),
  Number(ns % 1_000_000_000n),
];

/** Links one span keeps at most. */
export const MAX_LINKS_PER_SPAN = 128;

/** A link's ids, normalised (`tr-` + 32 hex, 16 hex), from either spelling; null if invalid. */
function linkOf(link: unknown): SpanLink | null {
  if (link === null || typeof link !== 'object') return null;
  const o = link as Record<string, unknown>;
  const ctx = (o.context ?? o) as Record<string, unknown>;
  const traceHex = String(ctx.traceId ?? '')
    .toLowerCase()
    .replace(/^tr-/, '');
  const spanId = String(ctx.spanId ?? '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(traceHex) || !/^[0-9a-f]{16}$/.test(spanId)) return null;
  const attributes = o.attributes;
  return {
    traceId: `tr-${traceHex}`,
    spanId,
    attributes:
      attributes !== null && typeof attributes === 'object'
        ? (attributes as Record<string, unknown>)
        : null,
  };
}

/** Attributes one span keeps at most; later ones are dropped (and counted). */
export const MAX_ATTRIBUTES_PER_SPAN = 512;

/**
 * OpenTelemetry's TimeInput: an [s, ns] tuple, a Date, or epoch ms; undefined when it is none
 * of those (the caller then uses now).
 */
function timeInputToNs(t: unknown): bigint | undefined {
  try {
    if (Array.isArray(t))
      return coerceTimeNs(
        BigInt(Math.trunc(Number(t[0]))) * 1_000_000_000n + BigInt(Math.trunc(Number(t[1]))),
      );
    if (t instanceof Date) return coerceTimeNs(t);
    if (typeof t === 'number' && Number.isFinite(t)) return coerceTimeNs(t * 1_000_000);
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * A span being recorded. It is also the finished span handed to stores (it satisfies the
 * `Span` model), so ending a span copies nothing. Implements OpenTelemetry's `Span`
 * interface; every method is safe to call after `end()` (it is then ignored).
 */
export class LiveSpan implements Span, OtelSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  name: string;
  spanType: string;
  readonly startTimeUnixNano: bigint;
  endTimeUnixNano: bigint | null = null;
  status: SpanStatus = spanStatus('UNSET');
  readonly attributes: Record<string, unknown> = {};
  readonly events: SpanEvent[] = [];
  readonly links: SpanLink[] = [];
  /** Approximate serialized size, for the trace's size stats. */
  sizeChars = 200;

  /** @internal */
  constructor(
    readonly trace: ActiveTrace,
    spanId: string,
    parentSpanId: string | null,
    name: string,
    spanType: string,
    startTimeUnixNano: bigint,
  ) {
    this.traceId = trace.traceId;
    this.spanId = spanId;
    this.parentSpanId = parentSpanId;
    this.name = name;
    this.spanType = spanType;
    this.startTimeUnixNano = startTimeUnixNano;
  }

  /** False for spans of traces that are not sampled or not recorded; all calls are no-ops. */
  isRecording(): boolean {
    return this.trace.recording && this.endTimeUnixNano === null;
  }

  get inputs(): unknown {
    return this.attributes[SpanAttributeKey.INPUTS];
  }

  get outputs(): unknown {
    return this.attributes[SpanAttributeKey.OUTPUTS];
  }

  /** MLflow's SDK name for `parentSpanId`. */
  get parentId(): string | null {
    return this.parentSpanId;
  }

  /** The start as `[seconds, nanoseconds]`, as MLflow's SDK gives it. */
  get startTime(): HrTime {
    return hrTime(this.startTimeUnixNano);
  }

  /** The end as `[seconds, nanoseconds]`; null while the span is open. */
  get endTime(): HrTime | null {
    return this.endTimeUnixNano === null ? null : hrTime(this.endTimeUnixNano);
  }

  /** An attribute's value as it was kept (masked, bounded); undefined when not set. */
  getAttribute(key: string): unknown {
    // A key of another type is converted by the language, which can throw (a null-prototype
    // object): attributes are keyed by strings, so there is nothing to find anyway.
    return typeof key === 'string' ? this.attributes[key] : undefined;
  }

  /** The span in MLflow's span JSON shape (base64 ids, ns times as bigints). */
  toJson(): Record<string, unknown> {
    return spanToMlflowObject(this);
  }

  /**
   * Runs a change of a recording span; whatever a caller's value does inside (a throwing
   * getter, a revoked Proxy), it is reported, never thrown into the caller.
   */
  private guard(change: () => void): this {
    if (!this.isRecording()) return this;
    try {
      change();
    } catch (err) {
      this.trace.reportInternalError(err);
    }
    return this;
  }

  setInputs(inputs: unknown): this {
    return this.guard(() => {
      if (this.trace.settings.logPrompts) this.put(SpanAttributeKey.INPUTS, inputs);
    });
  }

  setOutputs(outputs: unknown): this {
    return this.guard(() => {
      if (this.trace.settings.logPrompts) this.put(SpanAttributeKey.OUTPUTS, outputs);
    });
  }

  /** Any JSON-able value; it is masked and size-bounded before it is kept. */
  setAttribute(key: string, value: unknown): this {
    return this.guard(() => this.put(key, value));
  }

  /** Whether inputs, outputs and other payload content are recorded (`logPrompts`). */
  get logsPrompts(): boolean {
    return this.trace.settings.logPrompts;
  }

  /**
   * `setAttribute` for payloads an integration passes into many spans (a conversation, a
   * model's tool schemas): `options.convert` gives the recorded form of the objects it knows,
   * and sanitized forms are kept and shared across spans (see `PayloadOptions`). Same masking
   * and bounds as `setAttribute`; a value too large for the span's budget, or with a cycle,
   * takes that path and is truncated with markers.
   */
  setPayload(key: string, value: unknown, options: PayloadOptions = {}): this {
    return this.guard(() => {
      const k = typeof key === 'string' ? key : safeText(key, MAX_KEY_CHARS);
      const settings = this.trace.settings;
      if (settings.isSecretKey(k)) return this.put(k, value);
      if (!this.hasRoomFor(k)) return;
      const shared = options.immutable && value !== null && typeof value === 'object';
      const kept = shared ? immutableMemo(value, settings) : undefined;
      if (kept && kept.chars <= this.trace.payloadBudget(this.sizeChars)) {
        if (!(k in this.attributes)) this.attributeCount++;
        this.attributes[k] = kept.value;
        this.sizeChars += kept.chars + k.length;
        return;
      }
      const build = new PayloadBuild(settings, options.convert);
      let safe: unknown;
      try {
        safe = build.value(value, 0);
      } catch (err) {
        // A value that cannot be read (a throwing getter, a revoked proxy) is shown, not fatal.
        return this.put(k, `[unreadable value: ${errorMessage(err)}]`);
      }
      if (!build.ok || build.chars > this.trace.payloadBudget(this.sizeChars)) {
        const convert = options.convert;
        return this.put(k, convert ? convertDeep(value, convert) : value);
      }
      if (shared) rememberImmutable(value, { settings, value: safe, chars: build.chars });
      if (!(k in this.attributes)) this.attributeCount++;
      this.attributes[k] = safe;
      this.sizeChars += build.chars + k.length;
    });
  }

  setAttributes(attributes: Record<string, unknown> | Attributes): this {
    return this.guard(() => {
      if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
        this.trace.reportBadValue(
          'setAttributes',
          'takes an object of attributes; the value was ignored',
        );
        return;
      }
      for (const [k, v] of Object.entries(attributes)) this.put(k, v);
    });
  }

  setSpanType(spanType: string): this {
    return this.guard(() => {
      this.spanType = coerceSpanType(spanType, this.spanType);
    });
  }

  addEvent(
    name: string,
    attributesOrTime?: Record<string, unknown> | Attributes | TimeInput,
    time?: TimeInput,
  ): this {
    return this.guard(() => {
      const settings = this.trace.settings;
      if (this.events.length >= settings.maxEventsPerSpan) {
        this.trace.droppedEvents++;
        return;
      }
      const isTime =
        attributesOrTime instanceof Date ||
        Array.isArray(attributesOrTime) ||
        typeof attributesOrTime === 'number';
      const attrs = isTime ? undefined : attributesOrTime;
      const when = isTime ? attributesOrTime : time;
      this.events.push({
        name: coerceName(name, 'event'),
        timeUnixNano:
          (when === undefined ? undefined : timeInputToNs(when)) ?? settings.clock.nowNs(),
        attributes:
          attrs !== null && typeof attrs === 'object'
            ? (this.trace.sanitize(attrs) as Record<string, unknown>)
            : {},
      });
    });
  }

  /**
   * Links this span to a span that is not its parent: OpenTelemetry's `{ context: { traceId,
   * spanId }, attributes }` or MLflow's `{ traceId, spanId, attributes }` (`tr-…` or 32 hex). A
   * link without valid ids is reported and dropped; a span keeps at most 128.
   */
  addLink(link: Link | { traceId: string; spanId: string; attributes?: unknown }): this {
    return this.guard(() => {
      const made = linkOf(link);
      if (!made) {
        this.trace.reportBadValue(
          'addLink',
          'needs a trace id and a span id; the link was dropped',
        );
        return;
      }
      if (this.links.length >= MAX_LINKS_PER_SPAN) return;
      const attrs = made.attributes;
      this.links.push({
        ...made,
        attributes:
          attrs && Object.keys(attrs).length > 0
            ? (this.trace.sanitize(attrs) as Record<string, unknown>)
            : null,
      });
    });
  }

  addLinks(links: Link[]): this {
    return this.guard(() => {
      if (!Array.isArray(links)) return;
      // By index and bounded: a huge sparse array must not cost its length.
      const room = Math.min(links.length, MAX_LINKS_PER_SPAN - this.links.length);
      for (let i = 0; i < room; i++) this.addLink(links[i]!);
    });
  }

  /**
   * A status code (`'ERROR'`, `'STATUS_CODE_ERROR'`, OpenTelemetry's numbers) or an object with
   * one; a value without a readable code is reported and leaves the status as it is.
   */
  setStatus(status: SpanStatusInput, message?: string): this {
    return this.guard(() => {
      const next = coerceStatus(status, message);
      if (next) this.status = next;
      else
        this.trace.reportBadValue(
          'setStatus',
          'needs a status code such as OK or ERROR; the status was kept',
        );
    });
  }

  updateName(name: string): this {
    return this.guard(() => {
      this.name = coerceName(name, this.name);
    });
  }

  /**
   * Records an `exception` event (OpenTelemetry's convention, which MLflow shows) and ERROR.
   * Any value may be thrown; it is described without running its own code (no toString), and
   * its message and stack are bounded.
   */
  recordException(exception: Exception | unknown, time?: TimeInput): void {
    this.guard(() => {
      const { type, message, stack } = describeThrown(
        exception,
        this.trace.settings.maxPayloadChars,
      );
      const attrs: Record<string, unknown> = {
        'exception.type': type,
        'exception.message': message,
      };
      if (stack) attrs['exception.stacktrace'] = stack;
      this.addEvent('exception', attrs, time);
      if (this.status.code !== 'ERROR')
        this.status = spanStatus(
          'ERROR',
          maskSecretsInText(safeText(`${type}: ${message}`, MAX_TAG_VALUE_CHARS)),
        );
    });
  }

  /** A span that ends up inside recorded data (a returned value, say) is shown as its ids. */
  toJSON(): { spanId: string; traceId: string; name: string } {
    return { spanId: this.spanId, traceId: this.traceId, name: this.name };
  }

  spanContext(): SpanContext {
    return {
      traceId: this.traceId.slice(3),
      spanId: this.spanId,
      traceFlags: this.trace.recording ? 1 : 0,
    };
  }

  /**
   * Ends the span (once; later calls are ignored). A span still UNSET ends as OK, so a trace
   * whose root was never marked failed reads as OK in MLflow.
   */
  end(options?: EndSpanOptions | TimeInput): void {
    if (!this.isRecording()) return;
    try {
      let endNs: bigint | undefined;
      if (
        options !== undefined &&
        options !== null &&
        typeof options === 'object' &&
        !Array.isArray(options) &&
        !(options instanceof Date)
      ) {
        const o = options as EndSpanOptions;
        if ('outputs' in o) this.setOutputs(o.outputs);
        if (o.attributes !== undefined) this.setAttributes(o.attributes);
        if (o.status !== undefined) this.setStatus(o.status);
        if (o.endTimeNs !== undefined) {
          endNs = coerceTimeNs(o.endTimeNs);
          if (endNs === undefined)
            this.trace.reportBadValue(
              'end({ endTimeNs })',
              'needs ns since the epoch; the span ended now',
            );
        }
      } else if (options !== undefined) {
        endNs = timeInputToNs(options);
      }
      if (this.status.code === 'UNSET') this.status = spanStatus('OK', this.status.message);
      this.endTimeUnixNano = endNs ?? this.trace.settings.clock.nowNs();
      runSpanHooks('end', this);
      this.trace.onSpanEnd(this);
    } catch (err) {
      this.trace.reportInternalError(err);
    }
  }

  /** A new attribute fits under the per-span count (else it is counted as dropped). */
  private hasRoomFor(k: string): boolean {
    if (k in this.attributes || this.attributeCount < MAX_ATTRIBUTES_PER_SPAN) return true;
    this.trace.droppedAttributes++;
    return false;
  }

  private put(key: string, value: unknown): void {
    const k = typeof key === 'string' ? key : safeText(key, MAX_KEY_CHARS);
    const fresh = !(k in this.attributes);
    if (!this.hasRoomFor(k)) return;
    const { value: safe, chars } = this.trace.sanitizeWithSize(k, value, this.sizeChars);
    if (fresh) this.attributeCount++;
    this.attributes[k] = safe;
    this.sizeChars += chars + k.length;
  }

  private attributeCount = 0;
}
