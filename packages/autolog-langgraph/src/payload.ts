import { type LiveSpan, maskSecretsInText, REDACTED, toJsonSafe } from '@graphtrace/core';
import { ChatMessageRecord, convertSpecial, toRecordable } from './convert.js';

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

class Build {
  chars = 0;
  ok = true;
  private readonly stack: object[] = [];

  constructor(private readonly settings: Settings) {}

  private safe(v: unknown): unknown {
    const value = toJsonSafe(v, {
      maxChars: this.settings.maxPayloadChars,
      isSecretKey: this.settings.isSecretKey,
    });
    this.chars += JSON.stringify(value)?.length ?? 4;
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
        return this.safe(v);
    }
    if (v instanceof ChatMessageRecord) {
      let m = v.sanitizedFor(this.settings);
      if (!m) {
        const value = toJsonSafe(v, {
          maxChars: this.settings.maxPayloadChars,
          isSecretKey: this.settings.isSecretKey,
        });
        m = { settings: this.settings, value, chars: JSON.stringify(value).length };
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
      return special === undefined ? this.safe(v) : this.value(special, depth + 1);
    }
    if (depth >= MAX_DEPTH) return this.safe(v);
    const o = v as object;
    if (this.stack.includes(o)) {
      this.ok = false;
      return null;
    }
    this.stack.push(o);
    try {
      if (Array.isArray(v)) {
        this.chars += 2 + v.length;
        return v.map((item) => this.value(item, depth + 1));
      }
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
