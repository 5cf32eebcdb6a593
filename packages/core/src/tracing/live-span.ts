import type {
  Attributes,
  Exception,
  Link,
  Span as OtelSpan,
  SpanStatus as OtelSpanStatus,
  SpanContext,
  TimeInput,
} from '@opentelemetry/api';
import { SpanAttributeKey } from '../model/keys.js';
import type { Span, SpanEvent, SpanStatus, SpanStatusCode } from '../model/span.js';
import type { ActiveTrace } from './active-trace.js';

export interface EndSpanOptions {
  outputs?: unknown;
  status?: SpanStatus | SpanStatusCode;
  /** ns since epoch; defaults to now. */
  endTimeNs?: bigint;
}

const OTEL_CODES: Record<number, SpanStatusCode> = { 0: 'UNSET', 1: 'OK', 2: 'ERROR' };

function toStatus(
  status: SpanStatus | SpanStatusCode | OtelSpanStatus,
  message?: string,
): SpanStatus {
  if (typeof status === 'string')
    return message === undefined ? { code: status } : { code: status, message };
  const code = typeof status.code === 'number' ? (OTEL_CODES[status.code] ?? 'UNSET') : status.code;
  return status.message === undefined ? { code } : { code, message: status.message };
}

function timeInputToNs(t: TimeInput): bigint {
  if (Array.isArray(t)) return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
  if (t instanceof Date) return BigInt(t.getTime()) * 1_000_000n;
  // OpenTelemetry allows epoch ms or performance.now() ms; only the former is meaningful here.
  return BigInt(Math.round(Number(t) * 1_000_000));
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
  status: SpanStatus = { code: 'UNSET' };
  readonly attributes: Record<string, unknown> = {};
  readonly events: SpanEvent[] = [];
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

  setInputs(inputs: unknown): this {
    if (this.isRecording() && this.trace.settings.logPrompts)
      this.put(SpanAttributeKey.INPUTS, inputs);
    return this;
  }

  setOutputs(outputs: unknown): this {
    if (this.isRecording() && this.trace.settings.logPrompts)
      this.put(SpanAttributeKey.OUTPUTS, outputs);
    return this;
  }

  /** Any JSON-able value; it is masked and size-bounded before it is kept. */
  setAttribute(key: string, value: unknown): this {
    if (this.isRecording()) this.put(key, value);
    return this;
  }

  setAttributes(attributes: Record<string, unknown> | Attributes): this {
    if (this.isRecording()) for (const [k, v] of Object.entries(attributes)) this.put(k, v);
    return this;
  }

  setSpanType(spanType: string): this {
    if (this.isRecording()) this.spanType = spanType;
    return this;
  }

  addEvent(
    name: string,
    attributesOrTime?: Record<string, unknown> | Attributes | TimeInput,
    time?: TimeInput,
  ): this {
    if (!this.isRecording()) return this;
    const settings = this.trace.settings;
    if (this.events.length >= settings.maxEventsPerSpan) {
      this.trace.droppedEvents++;
      return this;
    }
    const isTime =
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime) ||
      typeof attributesOrTime === 'number';
    const attrs = (isTime ? undefined : attributesOrTime) as Record<string, unknown> | undefined;
    const when = isTime ? (attributesOrTime as TimeInput) : time;
    const safe = attrs ? (this.trace.sanitize(attrs) as Record<string, unknown>) : {};
    this.events.push({
      name,
      timeUnixNano: when === undefined ? settings.clock.nowNs() : timeInputToNs(when),
      attributes: safe,
    });
    return this;
  }

  addLink(_link: Link): this {
    return this;
  }

  addLinks(_links: Link[]): this {
    return this;
  }

  setStatus(status: SpanStatus | SpanStatusCode | OtelSpanStatus, message?: string): this {
    if (this.isRecording()) this.status = toStatus(status, message);
    return this;
  }

  updateName(name: string): this {
    if (this.isRecording()) this.name = name;
    return this;
  }

  /** Records an `exception` event (OpenTelemetry's convention, which MLflow shows) and ERROR. */
  recordException(exception: Exception | unknown, time?: TimeInput): void {
    if (!this.isRecording()) return;
    const e = exception as { name?: string; message?: string; stack?: string } | string;
    const type = typeof e === 'string' ? 'Error' : (e?.name ?? 'Error');
    const message = typeof e === 'string' ? e : (e?.message ?? String(exception));
    const attrs: Record<string, unknown> = { 'exception.type': type, 'exception.message': message };
    if (typeof e === 'object' && e?.stack) attrs['exception.stacktrace'] = e.stack;
    this.addEvent('exception', attrs, time);
    if (this.status.code !== 'ERROR')
      this.status = { code: 'ERROR', message: `${type}: ${message}` };
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
        typeof options === 'object' &&
        !Array.isArray(options) &&
        !(options instanceof Date)
      ) {
        const o = options as EndSpanOptions;
        if ('outputs' in o) this.setOutputs(o.outputs);
        if (o.status) this.setStatus(o.status);
        endNs = o.endTimeNs;
      } else if (options !== undefined) {
        endNs = timeInputToNs(options as TimeInput);
      }
      if (this.status.code === 'UNSET') this.status = { code: 'OK' };
      this.endTimeUnixNano = endNs ?? this.trace.settings.clock.nowNs();
      this.trace.onSpanEnd(this);
    } catch (err) {
      this.trace.reportInternalError(err);
    }
  }

  private put(key: string, value: unknown): void {
    const { value: safe, chars } = this.trace.sanitizeWithSize(key, value);
    this.attributes[key] = safe;
    this.sizeChars += chars + key.length;
  }
}
