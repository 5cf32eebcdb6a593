/**
 * A small cache of promises with a time to live: revisiting a page (or two tabs asking for the
 * same aggregate) reuses one computation instead of running the GROUP BY again. Failed
 * computations are not kept. Not lru-cache's `fetch()`: deleting an entry there aborts the
 * computation in flight (or, with `ignoreFetchAbort`, stores its stale result afterwards), where
 * `forget` must drop it from the cache and still answer whoever awaits it.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, compute: () => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && t - hit.at < this.ttlMs) return hit.value;
    if (hit) this.entries.delete(key);
    const value = compute();
    if (this.ttlMs > 0) {
      if (this.entries.size >= this.maxEntries)
        this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { at: t, value });
      value.catch(() => {
        if (this.entries.get(key)?.value === value) this.entries.delete(key);
      });
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops the entries whose key starts with `prefix` (what they were computed from changed). */
  forget(prefix: string): void {
    for (const key of [...this.entries.keys()])
      if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
