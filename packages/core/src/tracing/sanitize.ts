/**
 * Turns any value into a JSON-safe copy before it reaches a store: secrets masked, cycles,
 * BigInt, functions, Errors, Maps and Sets made representable, and the whole value kept
 * within a character budget with visible truncation markers (the result stays valid JSON).
 */

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 64;
/** Characters past the budget still scanned for secrets, so one cut at the end is masked. */
const SCAN_MARGIN = 256;

// A key is secret when, lowercased with separators removed, it ends with one of these.
// Suffixes (not substrings) keep counters such as `input_tokens` or `max_tokens` visible.
const SECRET_KEY_SUFFIXES = [
  'apikey',
  // `openaiKey`, `stripe_key`: a key of something; structural keys are listed below.
  'key',
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'authorization',
  'auth',
  'cookie',
  'credential',
  'credentials',
  'privatekey',
  'accesskey',
  'sessionkey',
  'signature',
];

// Key names whose values are secret, for `name=value` and `"name": "value"` inside free text.
const SECRET_NAME = `[A-Za-z0-9_.-]*(?:api[_-]?key|apikey|token|secret|password|passwd|pwd|passphrase|authorization|auth|cookie|credentials?|private[_-]?key|access[_-]?key|session[_-]?key|signature)`;

// Well-known secret shapes inside free text: provider keys (OpenAI, Anthropic, GitHub, Slack,
// Stripe, Hugging Face, AWS, Google), bearer headers, JWTs. Each starts with a literal prefix,
// so scanning stays cheap on the hot path.
const SECRET_VALUE = new RegExp(
  [
    String.raw`\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{16,}|hf_[A-Za-z0-9]{30,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})`,
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
    String.raw`\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*`,
  ].join('|'),
  'g',
);

// Secrets named by their key inside free text: `name=value` (URL queries, connection strings),
// `"name": "value"` (JSON text), and the password of `scheme://user:password@host`. Costlier
// to scan, so only text that mentions such a name or holds `://…@` is scanned.
const SECRET_MENTION = /key|token|secret|pass|pwd|auth|cookie|credential|signature|:\/\/[^\s]*@/i;
const KEYED_SECRET = new RegExp(
  [
    String.raw`(?<=\b${SECRET_NAME}=)[^&\s;'",]+`,
    String.raw`(?<="${SECRET_NAME}"\s*:\s*")(?:[^"\\]|\\.)+(?=")`,
    String.raw`(?<=[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#@:\s]+:)[^/?#@\s]+(?=@)`,
  ].join('|'),
  'gi',
);

// Keys ending in `key` that name structure, not a secret (normalised as above).
const NOT_SECRET_KEYS = new Set([
  'key',
  'keys',
  'primarykey',
  'foreignkey',
  'sortkey',
  'partitionkey',
  'rangekey',
  'hashkey',
  'cachekey',
  'idempotencykey',
  'routingkey',
  'groupkey',
  'lookupkey',
  'dedupkey',
  'publickey',
  'hotkey',
  'monkey',
  'turkey',
  'donkey',
  'hockey',
  'jockey',
  'whiskey',
]);

export type SecretKeyTest = (key: string) => boolean;

/** Builds the key test from the defaults plus user patterns (case-insensitive regexes). */
export function secretKeyTest(extraPatterns: readonly (string | RegExp)[] = []): SecretKeyTest {
  const extra = extraPatterns.map((p) => {
    if (p instanceof RegExp) return p;
    try {
      return new RegExp(p, 'i');
    } catch {
      return new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    }
  });
  const cache = new Map<string, boolean>();
  return (key) => {
    let secret = cache.get(key);
    if (secret === undefined) {
      const norm = key.toLowerCase().replace(/[^a-z0-9]/g, '');
      secret =
        (!NOT_SECRET_KEYS.has(norm) && SECRET_KEY_SUFFIXES.some((s) => norm.endsWith(s))) ||
        extra.some((re) => re.test(key));
      if (cache.size > 10_000) cache.clear();
      cache.set(key, secret);
    }
    return secret;
  };
}

export function maskSecretsInText(s: string): string {
  if (s.length < 8) return s;
  SECRET_VALUE.lastIndex = 0;
  let out = SECRET_VALUE.test(s) ? s.replace(SECRET_VALUE, REDACTED) : s;
  // Every keyed form needs `=`, `":` or `@`: plain prose skips the costlier scan.
  if ((out.includes('=') || out.includes('":') || out.includes('@')) && SECRET_MENTION.test(out)) {
    KEYED_SECRET.lastIndex = 0;
    if (KEYED_SECRET.test(out)) out = out.replace(KEYED_SECRET, REDACTED);
  }
  return out;
}

export interface SanitizeOptions {
  /** Budget in characters of JSON text; beyond it values are cut with a marker. */
  maxChars: number;
  isSecretKey: SecretKeyTest;
}

export function truncationMarker(omitted: number, unit: 'chars' | 'items' | 'keys'): string {
  return `…[truncated ${omitted} ${unit}]`;
}

class Walker {
  private remaining: number;
  private readonly stack: object[] = [];

  constructor(private readonly opts: SanitizeOptions) {
    this.remaining = opts.maxChars;
  }

  /** Approximate JSON length of what was walked so far. */
  get used(): number {
    return this.opts.maxChars - this.remaining;
  }

  private text(s: string): string {
    // Only what can be kept is scanned for secrets (plus a margin, so a secret cut at the end
    // is still recognised): the work stays bounded by the budget, not by the value.
    const cut = s.length > this.remaining + SCAN_MARGIN;
    const masked = maskSecretsInText(cut ? s.slice(0, this.remaining + SCAN_MARGIN) : s);
    const cost = masked.length + 2;
    if (!cut && cost <= this.remaining) {
      this.remaining -= cost;
      return masked;
    }
    const keep = Math.max(0, this.remaining - 2);
    this.remaining = 0;
    return masked.slice(0, keep) + truncationMarker(s.length - keep, 'chars');
  }

  walk(v: unknown, depth: number): unknown {
    switch (typeof v) {
      case 'string':
        return this.text(v);
      case 'number':
        this.remaining -= 8;
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
        this.remaining -= 5;
        return v;
      case 'bigint':
        return this.text(v.toString());
      case 'undefined':
        return null;
      case 'function':
        return this.text(`[Function ${v.name || 'anonymous'}]`);
      case 'symbol':
        return this.text(v.toString());
    }
    if (v === null) {
      this.remaining -= 4;
      return null;
    }
    return this.object(v as object, depth);
  }

  private object(o: object, depth: number): unknown {
    if (this.stack.includes(o)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Max depth]';
    // Plain objects and arrays (nearly everything recorded) skip the class checks below.
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype || proto === null || Array.isArray(o)) {
      if (proto !== null && typeof (o as { toJSON?: unknown }).toJSON === 'function')
        return this.special(o, depth);
      this.stack.push(o);
      try {
        return Array.isArray(o)
          ? this.list(o, depth)
          : this.record(o as Record<string, unknown>, depth);
      } finally {
        this.stack.pop();
      }
    }
    return this.special(o, depth);
  }

  private special(o: object, depth: number): unknown {
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? null : this.text(o.toISOString());
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) {
      return this.text(`[${o.constructor.name} ${o.byteLength} bytes]`);
    }
    if (o instanceof Promise) return '[Promise]';
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let j: unknown;
      try {
        j = toJSON.call(o);
      } catch {
        return '[Unserializable]';
      }
      if (j !== o) {
        this.stack.push(o);
        try {
          return this.walk(j, depth + 1);
        } finally {
          this.stack.pop();
        }
      }
    }
    this.stack.push(o);
    try {
      if (Array.isArray(o) || o instanceof Set) return this.list([...o], depth);
      if (o instanceof Map) {
        const m: Record<string, unknown> = Object.create(null);
        for (const [k, val] of o) m[String(k)] = val;
        return this.record(m, depth);
      }
      if (o instanceof Error) {
        const e = o as Error & { cause?: unknown };
        const fields: Record<string, unknown> = Object.create(null);
        fields.name = e.name;
        fields.message = e.message;
        Object.assign(fields, e);
        if (e.stack) fields.stack = e.stack;
        if (e.cause !== undefined) fields.cause = e.cause;
        return this.record(fields, depth);
      }
      return this.record(o as Record<string, unknown>, depth);
    } finally {
      this.stack.pop();
    }
  }

  private list(items: unknown[], depth: number): unknown[] {
    // A header as a `[name, value]` pair (fetch's Headers entries, Node's raw headers).
    if (
      items.length === 2 &&
      typeof items[0] === 'string' &&
      typeof items[1] === 'string' &&
      this.opts.isSecretKey(items[0])
    )
      return [this.text(items[0]), REDACTED];
    const out: unknown[] = [];
    this.remaining -= 2;
    for (let i = 0; i < items.length; i++) {
      if (this.remaining <= 0) {
        out.push(truncationMarker(items.length - i, 'items'));
        break;
      }
      out.push(this.walk(items[i], depth + 1));
      this.remaining -= 1;
    }
    return out;
  }

  private record(o: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.remaining -= 2;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const val = o[k];
      if (val === undefined) continue;
      if (this.remaining <= 0) {
        out['…'] = truncationMarker(keys.length - i, 'keys');
        break;
      }
      this.remaining -= k.length + 4;
      const safe = this.opts.isSecretKey(k) && val !== null ? REDACTED : this.walk(val, depth + 1);
      // A `__proto__` key (from parsed JSON, say) is data, not the copy's prototype.
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: safe,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = safe;
    }
    return out;
  }
}

/** A JSON-safe, masked, size-bounded copy of `value`. Never throws. */
export function toJsonSafe(value: unknown, opts: SanitizeOptions): unknown {
  return sanitizeValue(value, opts).value;
}

/** Like `toJsonSafe`, also returning the approximate JSON size, which span size stats use. */
export function sanitizeValue(
  value: unknown,
  opts: SanitizeOptions,
): { value: unknown; chars: number } {
  // Primitives (most attributes) need no walker.
  switch (typeof value) {
    case 'string': {
      if (value.length + 2 > opts.maxChars) break;
      const masked = maskSecretsInText(value);
      if (masked.length + 2 <= opts.maxChars) return { value: masked, chars: masked.length + 2 };
      break;
    }
    case 'number':
      if (Number.isFinite(value)) return { value, chars: 8 };
      break;
    case 'boolean':
      return { value, chars: 5 };
  }
  const walker = new Walker(opts);
  try {
    return { value: walker.walk(value, 0), chars: Math.max(0, walker.used) };
  } catch {
    return { value: '[Unserializable]', chars: 18 };
  }
}

/** Masks values of secret keys in a flat string map (params, tags). */
export function maskStringMap(
  map: Record<string, string>,
  isSecretKey: SecretKeyTest,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map))
    out[k] = isSecretKey(k) ? REDACTED : maskSecretsInText(v);
  return out;
}
