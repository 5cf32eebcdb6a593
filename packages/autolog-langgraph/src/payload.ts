import { type LiveSpan, maskSecretsInText, REDACTED, sanitizeValue } from '@graphtrace/core';
import { ChatMessageRecord, convertSpecial, isLangChainMessage, toRecordable } from './convert.js';

/**
 * Records a span's inputs or outputs, sanitizing each chat message once.
 *
 * A LangGraph state carries the whole conversation into every node, chain and model call, so a
 * ReAct agent's trace holds the same messages dozens of times; sanitizing them afresh for every
 * span made autolog's cost grow with the square of the conversation. Here a converted message
 * (an immutable object, see `toOpenAIMessage`) is passed through core's `toJsonSafe` once per
 * tracker and its sanitized copy shared; the containers around it are built here with the same
 * rules (secret keys masked, everything else through `toJsonSafe`). A payload over the tracker's
 * size budget, or one with a cycle, goes through core's own path, which truncates it with
 * markers.
 */

type Obj = Record<string, unknown>;
type Settings = LiveSpan['trace']['settings'];

const MAX_DEPTH = 16;

/** A sanitized list of chat messages, remembered under its last message. */
interface ListMemo {
  readonly settings: Settings;
  readonly items: readonly unknown[];
  readonly value: unknown[];
  readonly chars: number;
}

// The conversation in a graph's state grows by appending: the node, the prompt, the model and
// the routing edge of a step each receive the same messages, and the next step the same plus
// one. Lists are remembered by their last message, so a list seen before is shared and a list
// one longer than one seen before copies that one and sanitizes only the new message.
const lists = new WeakMap<object, ListMemo[]>();
const LISTS_PER_MESSAGE = 4;

const isMessage = (v: unknown): v is object =>
  v instanceof ChatMessageRecord || isLangChainMessage(v);

function findList(items: readonly unknown[], length: number, settings: Settings) {
  const memos = length > 0 ? lists.get(items[length - 1] as object) : undefined;
  if (!memos) return undefined;
  outer: for (const m of memos) {
    if (m.settings !== settings || m.items.length !== length) continue;
    for (let i = length - 2; i >= 0; i--) if (m.items[i] !== items[i]) continue outer;
    return m;
  }
  return undefined;
}

class Build {
  chars = 0;
  ok = true;
  private readonly stack: object[] = [];

  constructor(private readonly settings: Settings) {}

  /** Core's sanitizer for one value; its size estimate is the one spans count everywhere. */
  private safe(v: unknown): { value: unknown; chars: number } {
    return sanitizeValue(v, {
      maxChars: this.settings.maxPayloadChars,
      isSecretKey: this.settings.isSecretKey,
    });
  }

  private counted(v: unknown): unknown {
    const { value, chars } = this.safe(v);
    this.chars += chars;
    return value;
  }

  value(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string': {
        const masked = maskSecretsInText(v);
        this.chars += masked.length + 2;
        return masked;
      }
      case 'number':
        this.chars += 8;
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
        this.chars += 5;
        return v;
      case 'undefined':
        this.chars += 4;
        return null;
      case 'object':
        if (v === null) {
          this.chars += 4;
          return null;
        }
        break;
      default:
        return this.counted(v);
    }
    if (v instanceof ChatMessageRecord) {
      let m = v.sanitizedFor(this.settings);
      if (!m) {
        m = { settings: this.settings, ...this.safe(v) };
        v.rememberSanitized(m);
      }
      this.chars += m.chars;
      return m.value;
    }
    const proto = Object.getPrototypeOf(v);
    const plain = Array.isArray(v) || proto === Object.prototype || proto === null;
    if (!plain) {
      // Messages, documents and LangGraph commands in their MLflow shapes (converted here, in
      // the same pass, rather than copied once more beforehand).
      const special = depth < MAX_DEPTH ? convertSpecial(v as object) : undefined;
      return special === undefined ? this.counted(v) : this.value(special, depth + 1);
    }
    if (depth >= MAX_DEPTH) return this.counted(v);
    const o = v as object;
    if (this.stack.includes(o)) {
      this.ok = false;
      return null;
    }
    this.stack.push(o);
    try {
      if (Array.isArray(v)) return this.list(v, depth);
      const out: Obj = {};
      this.chars += 2;
      for (const key of Object.keys(o)) {
        const item = (o as Obj)[key];
        if (item === undefined) continue;
        this.chars += key.length + 4;
        out[key] =
          item !== null && this.settings.isSecretKey(key) ? REDACTED : this.value(item, depth + 1);
      }
      return out;
    } finally {
      this.stack.pop();
    }
  }

  private list(items: unknown[], depth: number): unknown[] {
    const n = items.length;
    if (n < 2 || !items.every(isMessage)) {
      this.chars += 2 + n;
      return items.map((item) => this.value(item, depth + 1));
    }
    const settings = this.settings;
    const seen = findList(items, n, settings);
    if (seen) {
      this.chars += seen.chars;
      return seen.value;
    }
    const before = this.chars;
    let value: unknown[];
    const prefix = findList(items, n - 1, settings);
    if (prefix) {
      this.chars += prefix.chars + 1;
      value = [...prefix.value, this.value(items[n - 1], depth + 1)];
    } else {
      this.chars += 2 + n;
      value = items.map((item) => this.value(item, depth + 1));
    }
    if (!this.ok) return value;
    const key = items[n - 1] as object;
    const memos = lists.get(key) ?? [];
    if (memos.length >= LISTS_PER_MESSAGE) memos.shift();
    memos.push({ settings, items: items.slice(), value, chars: this.chars - before });
    lists.set(key, memos);
    return value;
  }
}

/**
 * Sets `key` (inputs, outputs, metadata…) on a recording span: LangChain messages become OpenAI
 * chat messages, documents MLflow documents, everything sanitized as core does. Never throws.
 */
export function recordPayload(span: LiveSpan, key: string, raw: unknown): void {
  const settings = span.trace.settings;
  const build = new Build(settings);
  let value: unknown;
  try {
    value = build.value(raw, 0);
  } catch (err) {
    // A value that cannot be read (a throwing getter, a revoked proxy) is shown, not fatal.
    span.setAttribute(
      key,
      `[unreadable value: ${err instanceof Error ? err.message : String(err)}]`,
    );
    return;
  }
  if (!build.ok || build.chars > settings.maxPayloadChars) {
    span.setAttribute(key, toRecordable(raw));
    return;
  }
  span.attributes[key] = value;
  span.sizeChars += build.chars + key.length;
}
