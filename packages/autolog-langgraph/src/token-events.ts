import { isObj, type RunRecord } from './run-record.js';

/**
 * Streamed tokens as `new_token` events on the model's span, at most `max` per model call. One
 * instance per handler: it remembers the last chunk recorded, to skip a second delivery of it.
 */
export class TokenEvents {
  /** The last streamed chunk or event recorded: the same one delivered again is no new token. */
  private lastDelivery: object | undefined;

  constructor(readonly max: number) {}

  add(record: RunRecord | undefined, token: string, delivery: object | undefined): void {
    const span = record?.span;
    if (!record || !span?.isRecording()) return;
    // LangChain passes each handler the same chunk object: seen just now, it is a second delivery.
    if (delivery !== undefined && delivery === this.lastDelivery) return;
    this.lastDelivery = delivery;
    record.tokens++;
    // Keyed `text`, not `token`: core masks attribute keys ending in "token" as secrets.
    if (record.tokens <= this.max)
      span.addEvent('new_token', span.logsPrompts ? { text: token } : {});
  }
}

/** The text of a content-block stream event (newer chat models), when it is a text delta. */
export function streamedText(event: unknown): string | undefined {
  if (!isObj(event) || event.event !== 'content-block-delta') return undefined;
  const delta = event.delta;
  return isObj(delta) && delta.type === 'text-delta' && typeof delta.text === 'string'
    ? delta.text
    : undefined;
}
