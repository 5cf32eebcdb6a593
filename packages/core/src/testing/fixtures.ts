import { randomBytes } from 'node:crypto';
import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const newTraceId = (): string => `tr-${hex(16)}`;
export const uniqueName = (prefix: string): string => `${prefix}-${hex(4)}`;

export const NS_PER_MS = 1_000_000n;

/** A finished span with sensible defaults, for feeding stores directly. */
export function makeSpan(traceId: string, overrides: Partial<Span> & { name: string }): Span {
  const start = overrides.startTimeUnixNano ?? 1_700_000_000_000n * NS_PER_MS + 123_456n;
  return {
    traceId,
    spanId: overrides.spanId ?? hex(8),
    parentSpanId: overrides.parentSpanId ?? null,
    name: overrides.name,
    spanType: overrides.spanType ?? 'CHAIN',
    startTimeUnixNano: start,
    endTimeUnixNano:
      overrides.endTimeUnixNano === undefined
        ? start + 5n * NS_PER_MS + 789n
        : overrides.endTimeUnixNano,
    status: overrides.status ?? { code: 'OK' },
    attributes: overrides.attributes ?? {},
    events: overrides.events ?? [],
  };
}

/** A complete trace info as the tracer writes it when a root ends. */
export function makeTraceInfo(
  experimentId: string,
  traceId: string,
  overrides: Partial<TraceInfo> = {},
): TraceInfo {
  return {
    traceId,
    clientRequestId: null,
    experimentId,
    requestTime: 1_700_000_000_000,
    executionDuration: 5,
    state: 'OK',
    requestPreview: '{"question":"hi"}',
    responsePreview: '"hello"',
    traceMetadata: { 'mlflow.trace_schema.version': '3' },
    tags: { 'mlflow.traceName': 'root' },
    ...overrides,
  };
}

/** A root with two children (one with a nested grandchild), as a store would receive them. */
export function makeTraceTree(traceId: string, startMs = 1_700_000_000_000): Span[] {
  const t0 = BigInt(startMs) * NS_PER_MS;
  const root = makeSpan(traceId, {
    name: 'agent',
    spanType: 'AGENT',
    startTimeUnixNano: t0,
    endTimeUnixNano: t0 + 40n * NS_PER_MS,
    attributes: {
      'mlflow.spanInputs': { question: 'What is 6 × 7?', history: [1, 2, { deep: null }] },
      'mlflow.spanOutputs': '42',
    },
  });
  const llm = makeSpan(traceId, {
    name: 'model',
    spanType: 'CHAT_MODEL',
    parentSpanId: root.spanId,
    startTimeUnixNano: t0 + 1n * NS_PER_MS,
    endTimeUnixNano: t0 + 10n * NS_PER_MS + 1n,
    attributes: {
      'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
      'mlflow.message.format': 'langchain',
      temperature: 0.5,
      flag: true,
    },
    events: [{ name: 'token', timeUnixNano: t0 + 5n * NS_PER_MS, attributes: { text: '4' } }],
  });
  const tool = makeSpan(traceId, {
    name: 'calculator',
    spanType: 'TOOL',
    parentSpanId: root.spanId,
    startTimeUnixNano: t0 + 11n * NS_PER_MS,
    endTimeUnixNano: t0 + 20n * NS_PER_MS,
    status: { code: 'ERROR', message: 'Error: division by zero' },
    events: [
      {
        name: 'exception',
        timeUnixNano: t0 + 19n * NS_PER_MS,
        attributes: { 'exception.type': 'Error', 'exception.message': 'division by zero' },
      },
    ],
  });
  const inner = makeSpan(traceId, {
    name: 'parse',
    spanType: 'PARSER',
    parentSpanId: tool.spanId,
    startTimeUnixNano: t0 + 12n * NS_PER_MS,
    endTimeUnixNano: t0 + 13n * NS_PER_MS,
  });
  return [root, llm, tool, inner];
}

export function byStart(a: Span, b: Span): number {
  return a.startTimeUnixNano < b.startTimeUnixNano
    ? -1
    : a.startTimeUnixNano > b.startTimeUnixNano
      ? 1
      : 0;
}
