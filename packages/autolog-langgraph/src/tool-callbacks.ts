import { type LiveSpan, SpanAttributeKey } from '@graphtrace/core';
import { parseToolInput, toMlflowDocument, toRecordable } from './convert.js';
import { recordPayload } from './payload.js';
import type { RunRecord } from './run-record.js';

/* Tool and retriever runs, and custom events: what is recorded on their spans. */

/** A tool run has started (its span open): a tool after a model call makes the graph an agent. */
export function recordToolStart(record: RunRecord, input: string, toolCallId?: string): void {
  if (record.graph?.sawModel) record.graph.agentic = true;
  const span = record.span;
  if (!span?.isRecording()) return;
  if (span.logsPrompts) recordPayload(span, SpanAttributeKey.INPUTS, parseToolInput(input));
  if (toolCallId) span.setAttribute('tool_call_id', toolCallId);
}

export function recordToolEnd(record: RunRecord, output: unknown): void {
  if (record.span?.isRecording() && record.span.logsPrompts)
    recordPayload(record.span, SpanAttributeKey.OUTPUTS, output);
}

export function recordRetrieverStart(record: RunRecord, query: string): void {
  if (record.span?.isRecording() && record.span.logsPrompts) record.span.setInputs(query);
}

/** The documents found, in MLflow's document shape. */
export function recordRetrieverEnd(record: RunRecord, documents: unknown): void {
  if (record.span?.isRecording() && record.span.logsPrompts) {
    record.span.setOutputs(Array.isArray(documents) ? documents.map(toMlflowDocument) : documents);
  }
}

/** `dispatchCustomEvent(name, data)` inside a run: an event on that run's span. */
export function recordCustomEvent(
  span: LiveSpan | null | undefined,
  name: string,
  data: unknown,
): void {
  if (span?.isRecording())
    span.addEvent(name, span.logsPrompts && data !== undefined ? { data: toRecordable(data) } : {});
}
