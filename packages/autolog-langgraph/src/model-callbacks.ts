import { SpanAttributeKey, SpanType } from '@graphtrace/core';
import {
  chatCompletionOf,
  generationsOf,
  modelNameOf,
  modelProviderOf,
  serializedName,
  textCompletionOf,
  tokenUsageOf,
  toolDefinitions,
} from './convert.js';
import { recordPayload } from './payload.js';
import type { RunBook } from './run-book.js';
import { isObj, type Obj, type RunRecord } from './run-record.js';

/* Chat model and LLM runs: their span, inputs, model, outputs and token usage. */

/** What LangChain gives at the start of a chat model or LLM run, besides the model and inputs. */
export interface ModelRun {
  runId: string;
  parentRunId: string | undefined;
  extraParams: Obj | undefined;
  metadata: Obj | undefined;
  runName: string | undefined;
}

/** `inputs` builds the messages or prompts, only when prompts are recorded. */
export function startModel(
  book: RunBook,
  kind: 'chat' | 'llm',
  llm: unknown,
  run: ModelRun,
  inputs: () => unknown,
): void {
  const { extraParams, metadata } = run;
  const name = run.runName ?? serializedName(llm, kind === 'chat' ? 'chat model' : 'llm');
  const spanType = kind === 'chat' ? SpanType.CHAT_MODEL : SpanType.LLM;
  const record = book.open(run.runId, run.parentRunId, name, spanType, 'llm');
  if (!record) return;
  if (record.graph) record.graph.sawModel = true;
  const invocation = isObj(extraParams?.invocation_params)
    ? (extraParams.invocation_params as Obj)
    : undefined;
  record.model = modelNameOf(metadata, invocation);
  const span = record.span;
  if (!span?.isRecording()) return;
  if (span.logsPrompts) recordPayload(span, SpanAttributeKey.INPUTS, inputs());
  if (kind === 'chat') span.setAttribute(SpanAttributeKey.MESSAGE_FORMAT, 'openai');
  if (record.model) span.setAttribute(SpanAttributeKey.MODEL, record.model);
  const provider = modelProviderOf(metadata, invocation);
  if (provider) span.setAttribute(SpanAttributeKey.MODEL_PROVIDER, provider);
  if (invocation) {
    const { tools, ...params } = invocation;
    recordPayload(span, 'invocation_params', params);
    const options = isObj(extraParams?.options) ? extraParams.options : undefined;
    const defs = toolDefinitions(tools ?? options?.tools);
    if (defs.length > 0) span.setPayload(SpanAttributeKey.CHAT_TOOLS, defs, { immutable: true });
  }
}

/** A model run ends: token usage, the completion, and token events left out beyond the bound. */
export function recordModelEnd(record: RunRecord, output: unknown, maxTokenEvents: number): void {
  const span = record.span;
  if (!span?.isRecording()) return;
  const generations = generationsOf(output);
  const usage = tokenUsageOf(output, generations);
  if (usage) span.setAttribute(SpanAttributeKey.CHAT_USAGE, usage);
  if (span.logsPrompts) {
    const isChat = span.spanType === SpanType.CHAT_MODEL;
    recordPayload(
      span,
      SpanAttributeKey.OUTPUTS,
      isChat ? chatCompletionOf(generations, record.model) : textCompletionOf(generations),
    );
  }
  if (record.tokens > maxTokenEvents)
    span.setAttribute('graphtrace.droppedTokenEvents', record.tokens - maxTokenEvents);
}
