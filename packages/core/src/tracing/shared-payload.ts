import { maskSecretsInText, REDACTED, type SecretKeyTest, sanitizeValue } from './sanitize.js';

/**
 * How an integration records payloads that many spans share (see `LiveSpan.setPayload`).
 *
 * An agent framework passes the same values into span after span: the conversation rides in
 * every node, chain and model call of a LangGraph run, so a ReAct agent's trace holds the same
 * messages dozens of times, and sanitizing them afresh for each span grows with the square of
 * the conversation. Sanitized forms are therefore kept per tracker settings: for objects the
 * integration's `convert` returns (its records of messages or documents, which it never changes
 * once made), for `immutable` values, and for lists of such records, remembered by their last
 * item so that a conversation one message longer reuses the one before.
 */
export interface PayloadOptions {
  /**
   * The form to record for an object the integration knows (a framework's message, document or
   * command), or undefined to record the object as it is. Called for non-plain objects at any
   * depth. What it returns must never change afterwards: its sanitized form is kept and shared
   * (returning the object itself marks it as such a record).
   */
  convert?: (value: object) => unknown;
  /** The value itself never changes once recorded (a model's bound tool schemas): share it. */
  immutable?: boolean;
}

/** The settings a sanitized form depends on; a new tracker (new settings) sanitizes anew. */
export interface PayloadSettings {
  readonly maxPayloadChars: number;
  readonly isSecretKey: SecretKeyTest;
}

type Obj = Record<string, unknown>;
export interface Memo {
  readonly settings: PayloadSettings;
  readonly value: unknown;
  readonly chars: number;
}
interface ListMemo extends Memo {
  readonly items: readonly unknown[];
}

const MAX_DEPTH = 16;
const MAX_CONVERTED_ITEMS = 10_000;
const LISTS_PER_ITEM = 4;

/** Sanitized forms of converted records and immutable values, by identity. */
const records = new WeakMap<object, Memo>();
/** Sanitized lists of records, remembered under their last item. */
const lists = new WeakMap<object, ListMemo[]>();
/** What `convert` made of an object (so a record is recognised as one). */
const madeRecords = new WeakSet<object>();
/** Whole payloads recorded as `immutable`, by identity. */
const immutables = new WeakMap<object, Memo>();

/** The kept form of an `immutable` payload, if it was recorded under these settings. */
export function immutableMemo(o: object, settings: PayloadSettings): Memo | undefined {
  return memoOf(immutables, o, settings);
}

export function rememberImmutable(o: object, memo: Memo): void {
  immutables.set(o, memo);
}

function memoOf(map: WeakMap<object, Memo>, o: object, settings: PayloadSettings) {
  const m = map.get(o);
  return m && m.settings === settings ? m : undefined;
}

function findList(items: readonly unknown[], length: number, settings: PayloadSettings) {
  const memos = length > 0 ? lists.get(items[length - 1] as object) : undefined;
  if (!memos) return undefined;
  outer: for (const m of memos) {
    if (m.settings !== settings || m.items.length !== length) continue;
    for (let i = length - 2; i >= 0; i--) if (m.items[i] !== items[i]) continue outer;
    return m;
  }
  return undefined;
}

/**
 * Builds one payload: containers copied with core's rules (secret keys masked, everything else
 * through `sanitizeValue`), shared forms reused. `ok` false (a cycle) or `chars` over budget
 * sends the caller back to the plain path, which truncates with markers.
 */
export class PayloadBuild {
  chars = 0;
  ok = true;
  private readonly stack: object[] = [];

  constructor(
    private readonly settings: PayloadSettings,
    private readonly convert: ((value: object) => unknown) | undefined,
  ) {}

  /** Past the budget: the caller takes the plain path, which truncates with markers. */
  private over(): boolean {
    if (this.chars > this.settings.maxPayloadChars) this.ok = false;
    return !this.ok;
  }

  private safe(v: unknown): { value: unknown; chars: number } {
    return sanitizeValue(v, {
      maxChars: this.settings.maxPayloadChars,
      isSecretKey: this.settings.isSecretKey,
    });
  }

  /** A value whose sanitized form is kept: converted records and immutable values. */
  shared(o: object): unknown {
    let m = memoOf(records, o, this.settings);
    if (!m) {
      m = { settings: this.settings, ...this.safe(o) };
      records.set(o, m);
    }
    this.chars += m.chars;
    return m.value;
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
      default: {
        const { value, chars } = this.safe(v);
        this.chars += chars;
        return value;
      }
    }
    const o = v as object;
    if (madeRecords.has(o)) return this.shared(o);
    const proto = Object.getPrototypeOf(o);
    const plain = Array.isArray(o) || proto === Object.prototype || proto === null;
    if (!plain) {
      const made = depth < MAX_DEPTH ? this.convert?.(o) : undefined;
      if (made === undefined) {
        const { value, chars } = this.safe(o);
        this.chars += chars;
        return value;
      }
      if (made !== null && typeof made === 'object') madeRecords.add(made);
      return made === o ? this.shared(o) : this.value(made, depth + 1);
    }
    if (depth >= MAX_DEPTH) {
      const { value, chars } = this.safe(o);
      this.chars += chars;
      return value;
    }
    if (this.stack.includes(o) || this.over()) {
      this.ok = false;
      return null;
    }
    this.stack.push(o);
    try {
      if (Array.isArray(o)) return this.list(o, depth);
      const out: Obj = {};
      this.chars += 2;
      for (const key of Object.keys(o)) {
        if (this.over()) break;
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

  /** Whether every item is (or converts to) a record, converting as it checks. */
  private asRecords(items: unknown[]): unknown[] | null {
    const out: unknown[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object') return null;
      if (madeRecords.has(item)) {
        out.push(item);
        continue;
      }
      const made = this.convert?.(item);
      if (made === null || typeof made !== 'object') return null;
      madeRecords.add(made);
      out.push(made);
    }
    return out;
  }

  private list(items: unknown[], depth: number): unknown[] {
    const n = items.length;
    // Each item takes at least a character: a longer list is over budget before it is walked.
    if (n > this.settings.maxPayloadChars) {
      this.ok = false;
      return [];
    }
    const recs = n >= 2 && this.convert ? this.asRecords(items) : null;
    if (!recs) {
      this.chars += 2 + n;
      return items.map((item) => this.value(item, depth + 1));
    }
    const settings = this.settings;
    const seen = findList(recs, n, settings);
    if (seen) {
      this.chars += seen.chars;
      return seen.value as unknown[];
    }
    const before = this.chars;
    let value: unknown[];
    const prefix = findList(recs, n - 1, settings);
    if (prefix) {
      this.chars += prefix.chars + 1;
      value = [...(prefix.value as unknown[]), this.value(recs[n - 1], depth + 1)];
    } else {
      this.chars += 2 + n;
      value = recs.map((item) => this.value(item, depth + 1));
    }
    if (!this.ok) return value;
    const key = recs[n - 1] as object;
    const memos = lists.get(key) ?? [];
    if (memos.length >= LISTS_PER_ITEM) memos.shift();
    memos.push({ settings, items: recs, value, chars: this.chars - before });
    lists.set(key, memos);
    return value;
  }
}

/**
 * `value` with `convert` applied at any depth, for the plain, bounded path. Containers are
 * copied only where something inside changed, so the rest (cycles included) reaches core's
 * sanitizer as it was.
 */
export function convertDeep(
  value: unknown,
  convert: (value: object) => unknown,
  depth = 0,
  seen: object[] = [],
): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (seen.includes(value)) return value;
  const proto = Object.getPrototypeOf(value);
  const plain = Array.isArray(value) || proto === Object.prototype || proto === null;
  if (!plain) {
    const made = convert(value);
    return made === undefined || made === value
      ? value
      : convertDeep(made, convert, depth + 1, seen);
  }
  seen.push(value);
  try {
    let changed = false;
    const walk = (v: unknown) => {
      const out = convertDeep(v, convert, depth + 1, seen);
      if (out !== v) changed = true;
      return out;
    };
    if (Array.isArray(value)) {
      // Beyond this the value is truncated anyway: its items are left as they are.
      if (value.length > MAX_CONVERTED_ITEMS) return value;
      const out = value.map(walk);
      return changed ? out : value;
    }
    const out: Obj = {};
    for (const k of Object.keys(value)) out[k] = walk((value as Obj)[k]);
    return changed ? out : value;
  } finally {
    seen.pop();
  }
}
