/**
 * Turns any value into a JSON-safe copy before it reaches a store: secrets masked, cycles,
 * BigInt, functions, Errors, Maps and Sets made representable, and the whole value kept
 * within a character budget with visible truncation markers (the result stays valid JSON).
 */

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 64;

// A key is secret when, lowercased with separators removed, it ends with one of these.
// Suffixes (not substrings) keep counters such as `input_tokens` or `max_tokens` visible.
const SECRET_KEY_SUFFIXES = [
  'apikey',
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

// Well-known secret shapes inside free text (provider keys, bearer headers, cloud keys).
const SECRET_VALUE =
  /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}|(?:ghp|gho|ghs|github_pat|xox[abpr])_[A-Za-z0-9_]{16,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})|\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/g;

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
        SECRET_KEY_SUFFIXES.some((s) => norm.endsWith(s)) || extra.some((re) => re.test(key));
      if (cache.size > 10_000) cache.clear();
      cache.set(key, secret);
    }
    return secret;
  };
}

export function maskSecretsInText(s: string): string {
  if (s.length < 16) return s;
  SECRET_VALUE.lastIndex = 0;
  return SECRET_VALUE.test(s) ? s.replace(SECRET_VALUE, REDACTED) : s;
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
    const masked = maskSecretsInText(s);
    const cost = masked.length + 2;
    if (cost <= this.remaining) {
      this.remaining -= cost;
      return masked;
    }
    const keep = Math.max(0, this.remaining - 2);
    this.remaining = 0;
    return masked.slice(0, keep) + truncationMarker(masked.length - keep, 'chars');
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
      if (o instanceof Map)
        return this.record(
          [...o.entries()].map(([k, val]) => [String(k), val]),
          depth,
        );
      if (o instanceof Error) {
        const e = o as Error & { cause?: unknown };
        const entries: [string, unknown][] = [
          ['name', e.name],
          ['message', e.message],
          ...Object.entries(e),
        ];
        if (e.stack) entries.push(['stack', e.stack]);
        if (e.cause !== undefined) entries.push(['cause', e.cause]);
        return this.record(entries, depth);
      }
      return this.record(Object.entries(o), depth);
    } finally {
      this.stack.pop();
    }
  }

  private list(items: unknown[], depth: number): unknown[] {
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

  private record(entries: [string, unknown][], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.remaining -= 2;
    for (let i = 0; i < entries.length; i++) {
      const [k, val] = entries[i]!;
      if (val === undefined) continue;
      if (this.remaining <= 0) {
        out['…'] = truncationMarker(entries.length - i, 'keys');
        break;
      }
      this.remaining -= k.length + 4;
      out[k] = this.opts.isSecretKey(k) && val !== null ? REDACTED : this.walk(val, depth + 1);
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
