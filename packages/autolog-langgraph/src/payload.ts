import type { LiveSpan } from '@graphtrace/core';
import { ChatMessageRecord, convertSpecial } from './convert.js';

/**
 * LangChain's objects in their MLflow shapes: messages as OpenAI chat messages (converted once
 * per message, so core shares each one's sanitized form across the spans of a conversation),
 * documents as MLflow documents, LangGraph commands as their fields.
 */
function convert(value: object): unknown {
  return value instanceof ChatMessageRecord ? value : convertSpecial(value);
}

/**
 * Sets `key` (inputs, outputs, metadata…) on a recording span: LangChain's objects converted,
 * everything sanitized by core, which shares the conversation's sanitized messages across
 * spans (`LiveSpan.setPayload`); `immutable`: `raw` is never changed, so its sanitized form is
 * kept and shared by identity. Never throws.
 */
export function recordPayload(span: LiveSpan, key: string, raw: unknown, immutable = false): void {
  span.setPayload(key, raw, { convert, immutable });
}
