import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveReadyEvent, LiveTracesEvent } from '../../src/api/live-types.js';
import type { NewTracesResponse } from '../../src/api/types.js';
import { getJson, url } from './api.js';

/*
 * New traces pushed by the server (`GET /api/live`, server-sent events) instead of asked for
 * every 5 s. The browser's EventSource reconnects a dropped stream by itself, sending the last
 * event's id so the server announces what arrived meanwhile. A stream the server refuses (503
 * beyond its stream cap, a proxy that cannot stream) or that keeps failing falls back to asking
 * `/api/traces/new` every 5 s, as the page used to. A hidden tab closes its stream (browsers
 * allow a handful of connections per host, and a stream holds one) and catches up when shown.
 */

/** How often a page without push asks for new traces. */
export const POLL_MS = 5000;
/** Connection failures in a row after which the page polls instead. */
const FAILURES_BEFORE_POLLING = 3;

export type LiveMode = 'off' | 'connecting' | 'push' | 'poll';

export interface LiveTracesOptions {
  experimentId: string;
  filter: string;
  search: string;
  enabled: boolean;
  /**
   * The newest trace time the page shows, when it shows the newest traces (the first page,
   * newest first), else null: traces after it are new, even those written before the stream
   * opened. Read when (re)connecting.
   */
  shownNewest: number | null;
  /** Traces that arrived, each announced once (counts add up). */
  onTraces(news: LiveTracesEvent): void;
}

/** The "N new traces" button's figures with `news` added. */
export function addNewTraces(
  pending: NewTracesResponse | null,
  news: LiveTracesEvent,
): NewTracesResponse {
  if (!pending) return news;
  return {
    count: pending.count + news.count,
    capped: pending.capped || news.capped,
    newest: Math.max(pending.newest ?? 0, news.newest ?? 0) || null,
  };
}

interface FeedHooks {
  shownNewest(): number | null;
  onTraces(news: LiveTracesEvent): void;
  onReady(ready: LiveReadyEvent): void;
  onMode(mode: LiveMode): void;
}

/** One query's stream, its reconnections and its fallback to polling. */
class LiveFeed {
  private source: EventSource | null = null;
  private failures = 0;
  private retry: number | undefined;
  private poller: number | undefined;
  private polling = false;
  /** Newest trace time heard of: where a reconnection or a poll resumes. */
  private cursor: number | null = null;
  private stopped = false;

  constructor(
    private readonly params: { experiment: string; filter: string; search: string },
    private readonly hooks: FeedHooks,
  ) {
    document.addEventListener('visibilitychange', this.onVisibility);
    if (document.visibilityState === 'visible') this.connect();
  }

  stop(): void {
    this.stopped = true;
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.disconnect();
    clearInterval(this.poller);
  }

  private since(): number | null {
    const shown = this.hooks.shownNewest();
    if (shown === null) return this.cursor;
    return this.cursor === null ? shown : Math.max(shown, this.cursor);
  }

  private heard(newest: number | null): void {
    if (newest !== null) this.cursor = Math.max(this.cursor ?? newest, newest);
  }

  private connect(): void {
    this.hooks.onMode('connecting');
    const source = new EventSource(url('live', { ...this.params, since: this.since() }));
    this.source = source;
    source.addEventListener('open', () => {
      this.failures = 0;
      this.hooks.onMode('push');
    });
    source.addEventListener('ready', (e) => {
      const ready = JSON.parse((e as MessageEvent<string>).data) as LiveReadyEvent;
      this.heard(ready.newest);
      this.hooks.onReady(ready);
    });
    source.addEventListener('traces', (e) => {
      const news = JSON.parse((e as MessageEvent<string>).data) as LiveTracesEvent;
      this.heard(news.newest);
      this.hooks.onTraces(news);
    });
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      this.failures++;
      if (this.failures >= FAILURES_BEFORE_POLLING) {
        this.disconnect();
        this.poll();
      } else if (source.readyState === EventSource.CLOSED) {
        // Refused (an HTTP error): the browser does not retry that by itself.
        this.disconnect();
        this.retry = window.setTimeout(() => this.connect(), 1000 * 2 ** (this.failures - 1));
      } else this.hooks.onMode('connecting');
    });
  }

  private disconnect(): void {
    clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
  }

  private poll(): void {
    this.hooks.onMode('poll');
    this.cursor ??= this.hooks.shownNewest() ?? Date.now();
    this.poller = window.setInterval(async () => {
      if (document.visibilityState !== 'visible' || this.polling) return;
      this.polling = true;
      try {
        const news = await getJson<NewTracesResponse>('traces/new', {
          ...this.params,
          since: this.since(),
        });
        if (!this.stopped && news.count > 0) {
          this.heard(news.newest);
          this.hooks.onTraces(news);
        }
      } catch {
        // a missed poll is retried at the next tick
      } finally {
        this.polling = false;
      }
    }, POLL_MS);
  }

  private readonly onVisibility = () => {
    if (this.poller !== undefined || this.stopped) return;
    if (document.visibilityState === 'visible') {
      if (!this.source) this.connect();
    } else this.disconnect();
  };
}

/**
 * Calls `onTraces` as new traces of the query arrive, while `enabled`. Returns how (push, or
 * polling after push failed) and the server's aggregate cache lifetime (see `useLiveReload`).
 */
export function useLiveTraces(options: LiveTracesOptions): {
  mode: LiveMode;
  cacheTtlMs: number | null;
} {
  const latest = useRef(options);
  latest.current = options;
  const [mode, setMode] = useState<LiveMode>('off');
  const [cacheTtlMs, setCacheTtlMs] = useState<number | null>(null);
  const { experimentId, filter, search, enabled } = options;
  useEffect(() => {
    if (!enabled || !experimentId) {
      setMode('off');
      return;
    }
    const feed = new LiveFeed(
      { experiment: experimentId, filter, search },
      {
        shownNewest: () => latest.current.shownNewest,
        onTraces: (news) => latest.current.onTraces(news),
        onReady: (ready) => setCacheTtlMs(ready.cacheTtlMs),
        onMode: setMode,
      },
    );
    return () => feed.stop();
  }, [experimentId, filter, search, enabled]);
  return { mode, cacheTtlMs };
}

/**
 * Reloads a page of aggregates (sessions, metrics) when new traces of its experiment arrive:
 * one cache lifetime after (an earlier reload could be answered from the server's cache,
 * computed before them), so at most once per that lifetime however many arrive.
 */
export function useLiveReload(experimentId: string | undefined, reload: () => void): void {
  const [enabled] = useState(() => localStorage.getItem('graphtrace.live') !== 'off');
  const ttl = useRef(10_000);
  const timer = useRef<number | undefined>(undefined);
  const lastArrival = useRef(0);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  // A margin past the lifetime: whatever entry the reload finds was computed after the arrival.
  const wait = () => ttl.current + 500;
  const schedule = () => {
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      reloadRef.current();
      // Arrivals during the wait may be older than the entry this reload finds: once more.
      if (lastArrival.current > Date.now() - wait()) schedule();
    }, wait());
  };
  const live = useLiveTraces({
    experimentId: experimentId ?? '',
    filter: '',
    search: '',
    enabled,
    shownNewest: null,
    onTraces: () => {
      lastArrival.current = Date.now();
      if (timer.current === undefined) schedule();
    },
  });
  if (live.cacheTtlMs !== null) ttl.current = live.cacheTtlMs;
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [experimentId],
  );
}
