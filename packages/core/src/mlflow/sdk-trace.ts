import { TraceMetadataKey } from '../model/keys.js';
import { type Span, type SpanLink, SpanStatusCode } from '../model/span.js';
import type { TokenUsage, Trace, TraceInfo } from '../model/trace.js';
import { type HrTime, hrTime } from '../tracing/live-span.js';
import { readTokenUsage } from '../tracing/usage-cost.js';
import { spanToMlflowObject } from './span-json.js';

/**
 * A trace read back, in the shape MLflow's TypeScript SDK gives (`{ info, data: { spans } }`):
 * what code written for `@mlflow/core` reads. An adapter over the store model; nothing is copied
 * but the span views.
 */
export interface SdkTrace {
  info: SdkTraceInfo;
  data: { spans: SdkSpan[] };
}

export interface SdkTraceInfo extends TraceInfo {
  traceLocation: { type: 'MLFLOW_EXPERIMENT'; mlflowExperiment: { experimentId: string } };
  /** Parsed from `mlflow.trace.tokenUsage`; null when the trace has none. */
  tokenUsage: TokenUsage | null;
}

/** A finished span as the SDK shows it. */
export interface SdkSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly spanType: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime | null;
  readonly status: {
    statusCode: (typeof SpanStatusCode)[keyof typeof SpanStatusCode];
    description: string;
  };
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; timestamp: bigint; attributes: Record<string, unknown> }[];
  readonly links: SpanLink[];
  getAttribute(key: string): unknown;
  toJson(): Record<string, unknown>;
}

function sdkSpan(span: Span): SdkSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentId: span.parentSpanId,
    name: span.name,
    spanType: span.spanType,
    startTime: hrTime(span.startTimeUnixNano),
    endTime: span.endTimeUnixNano === null ? null : hrTime(span.endTimeUnixNano),
    status: {
      statusCode: SpanStatusCode[span.status.code],
      description: span.status.message ?? '',
    },
    inputs: span.attributes['mlflow.spanInputs'],
    outputs: span.attributes['mlflow.spanOutputs'],
    attributes: span.attributes,
    events: span.events.map((e) => ({
      name: e.name,
      timestamp: e.timeUnixNano,
      attributes: e.attributes,
    })),
    links: span.links ?? [],
    getAttribute: (key) => span.attributes[key],
    toJson: () => spanToMlflowObject(span),
  };
}

/** `{ info, spans }` as a store reads it → the SDK's `{ info, data: { spans } }`. */
export function toSdkTrace(trace: Trace): SdkTrace {
  const usage = trace.info.traceMetadata[TraceMetadataKey.TOKEN_USAGE];
  return {
    info: {
      ...trace.info,
      traceLocation: {
        type: 'MLFLOW_EXPERIMENT',
        mlflowExperiment: { experimentId: trace.info.experimentId },
      },
      tokenUsage: usage === undefined ? null : readTokenUsage(safeParse(usage)),
    },
    data: { spans: trace.spans.map(sdkSpan) },
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
