import type { TraceInfo } from '@graphtrace/core';
import { DashboardError } from '../errors.js';
import type { ApiContext } from './context.js';
import type { LiveOptions, LiveReadyEvent, LiveTracesEvent } from './live-types.js';
import { textMatcher } from './text-search.js';
import { andFilter } from './traces-routes.js';

/*
 * Live push of new traces. Every page watching the same query (experiments, filter, search)
 * shares one watcher, which reads the newest traces of its query once a second and tells each
 * stream what arrived; the last stream to leave stops it. A read is one indexed page of at most
 * `PAGE` trace infos, whatever the store holds.
 *
 * Traces are written when they end, so a long trace lands after shorter ones that started
 * later: a cursor "newer than the newest seen" would never announce it. The watcher therefore
 * reads the last `LOOKBACK_MS` before its newest trace and announces the ids its previous read
 * did not have. That previous read is all it remembers: the newest `PAGE` of a window whose
 * start only moves forward can only gain traces, so a trace dropping out never comes back.
 */

/** Trace infos one read returns at most (as `/api/traces/new` counts). */
const PAGE = 100;
/** How far before its newest trace a watcher still looks for late-written ones. */
const LOOKBACK_MS = 5 * 60_000;

const DEFAULTS = { intervalMs: 1000, maxStreams: 100, heartbeatMs: 15_000 };

/** Where one stream's events go (`live-routes.ts` writes them as server-sent events). */
export interface LiveSink {
  event(name: string, data: unknown, id?: string): void;
  comment(text: string): void;
  /** Ends the stream (the server is closing). */
  end(): void;
}

export interface LiveQuery {
  experiment: string[] | undefined;
  filter: string | undefined;
  search: string | undefined;
}

/** A stream's place in the hub, between joining and leaving. */
export interface LiveLease {
  /** Starts sending: `ready`, then what arrived after `since`, then each new arrival. */
  attach(sink: LiveSink): void;
  leave(): void;
}

interface Member {
  sink: LiveSink | null;
}

interface Seen {
  time: number;
  matches: boolean;
}

class Watcher {
  readonly members = new Set<Member>();
  /** The last read: trace id → start time, and whether it matches the search. */
  private seen = new Map<string, Seen>();
  /** The last read was a full page (older traces of the window were not read). */
  private full = false;
  /** Newest start time read, ms. */
  high: number | null = null;
  private floor: number;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failing = false;
  private readonly matches: (t: TraceInfo) => boolean;
  /** The first read, which announces nothing: what is there already is not new. */
  readonly ready: Promise<void>;

  constructor(
    private readonly hub: LiveHub,
    private readonly query: LiveQuery,
  ) {
    this.floor = hub.ctx.now() - LOOKBACK_MS;
    const text = query.search?.trim();
    this.matches = text ? textMatcher(text) : () => true;
    this.ready = this.read().then(() => this.schedule());
  }

  /** What arrived after `since` among the last read, as one event (null: nothing). */
  since(since: number | null): LiveTracesEvent | null {
    if (since === null) return null;
    let count = 0;
    let newest: number | null = null;
    let older = false;
    for (const s of this.seen.values()) {
      if (s.time <= since) older = true;
      else if (s.matches) {
        count++;
        newest = Math.max(newest ?? s.time, s.time);
      }
    }
    return count === 0 ? null : { count, capped: this.full && !older, newest };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async read(): Promise<TraceInfo[]> {
    const { ctx } = this.hub;
    const page = await ctx.store.searchTraces({
      experimentIds: await ctx.experimentIds(this.query.experiment),
      filter: andFilter(this.query.filter, `attributes.timestamp_ms >= ${this.floor}`)!,
      orderBy: ['timestamp_ms DESC'],
      maxResults: PAGE,
    });
    const fresh = page.items.filter((t) => !this.seen.has(t.traceId));
    this.seen = new Map(
      page.items.map((t) => [t.traceId, { time: t.requestTime, matches: this.matches(t) }]),
    );
    this.full = page.nextPageToken !== null;
    for (const t of page.items) this.high = Math.max(this.high ?? t.requestTime, t.requestTime);
    // Bounded by the server clock too: one trace stamped in the future must not hide the rest.
    if (this.high !== null)
      this.floor = Math.max(this.floor, Math.min(this.high, ctx.now()) - LOOKBACK_MS);
    return fresh;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.hub.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const fresh = await this.read();
      this.failing = false;
      if (fresh.length > 0 && !this.stopped) {
        this.hub.onNewTraces();
        const matching = fresh.filter((t) => this.seen.get(t.traceId)?.matches);
        if (matching.length > 0) {
          const event: LiveTracesEvent = {
            count: matching.length,
            capped: this.full && fresh.length === this.seen.size,
            newest: Math.max(...matching.map((t) => t.requestTime)),
          };
          for (const m of this.members) m.sink?.event('traces', event, String(this.high));
        }
      }
    } catch (err) {
      // Logged once per outage; the streams stay open and the next read may succeed.
      if (!this.failing)
        this.hub.ctx.logger.warn(
          `dashboard: reading new traces for live pages failed (retrying every ${this.hub.intervalMs} ms): ${err instanceof Error ? err.message : String(err)}`,
        );
      this.failing = true;
    }
    this.schedule();
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string, min: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min)
    throw new DashboardError(
      'INVALID_OPTION',
      `live.${name} must be an integer of at least ${min}, got ${value}`,
    );
  return value;
}

/** The live streams of one dashboard app and the watchers they share. */
export class LiveHub {
  readonly intervalMs: number;
  readonly maxStreams: number;
  private readonly heartbeatMs: number;
  private readonly watchers = new Map<string, Watcher>();
  /** Streams joined and not yet left (counted from joining, so a burst cannot pass the cap). */
  private streams = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly ctx: ApiContext,
    options: LiveOptions,
    /** Called when a watcher finds new traces (cached counts are short of them). */
    readonly onNewTraces: () => void,
    private readonly cacheTtlMs: number,
  ) {
    this.intervalMs = positiveInteger(options.intervalMs, DEFAULTS.intervalMs, 'intervalMs', 50);
    this.maxStreams = positiveInteger(options.maxStreams, DEFAULTS.maxStreams, 'maxStreams', 0);
    this.heartbeatMs = positiveInteger(
      options.heartbeatMs,
      DEFAULTS.heartbeatMs,
      'heartbeatMs',
      100,
    );
  }

  /** Open streams and running watchers (tests, diagnostics). */
  get stats(): { streams: number; watchers: number } {
    return { streams: this.streams, watchers: this.watchers.size };
  }

  /**
   * A stream on `query`: a slot under the cap (503 beyond it) and its query's watcher, once
   * that has read the store (a store error rejects here, before any stream is sent).
   */
  async join(query: LiveQuery, since: number | null): Promise<LiveLease> {
    this.checkOpen();
    if (this.streams >= this.maxStreams)
      throw new DashboardError(
        'TOO_MANY_STREAMS',
        this.maxStreams === 0
          ? 'live push is off on this dashboard (live.maxStreams is 0): pages check for new traces every 5 s instead'
          : `the dashboard already serves ${this.maxStreams} live streams, its limit: close some of its tabs (pages check for new traces every 5 s meanwhile)`,
        { status: 503 },
      );
    this.streams++;
    const key = JSON.stringify([
      query.experiment ? [...new Set(query.experiment)].sort() : null,
      query.filter?.trim() ?? '',
      query.search?.trim().toLowerCase() ?? '',
    ]);
    let watcher = this.watchers.get(key);
    if (!watcher) {
      watcher = new Watcher(this, query);
      this.watchers.set(key, watcher);
    }
    const w = watcher;
    const member: Member = { sink: null };
    w.members.add(member);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      member.sink = null;
      this.streams--;
      w.members.delete(member);
      if (w.members.size === 0) {
        w.stop();
        if (this.watchers.get(key) === w) this.watchers.delete(key);
      }
      this.pace();
    };
    try {
      await w.ready;
      this.checkOpen();
    } catch (err) {
      leave();
      throw err;
    }
    // Taken now: a read between here and `attach` must not slip between the two.
    const from = since ?? w.high;
    return {
      attach: (sink) => {
        if (left) return sink.end();
        member.sink = sink;
        const ready: LiveReadyEvent = { newest: w.high, cacheTtlMs: this.cacheTtlMs };
        sink.event('ready', ready);
        const missed = w.since(from);
        if (missed) sink.event('traces', missed, String(w.high));
        this.pace();
      },
      leave,
    };
  }

  /** Ends every stream and stops every watcher; later joins are refused. */
  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) {
      w.stop();
      for (const m of w.members) m.sink?.end();
    }
    this.watchers.clear();
    this.pace();
  }

  private checkOpen(): void {
    if (this.closed)
      throw new DashboardError('SERVER_CLOSING', 'the dashboard is shutting down', {
        status: 503,
      });
  }

  /** One heartbeat timer for all streams, running while there are any. */
  private pace(): void {
    const attached = !this.closed && this.streams > 0;
    if (attached && !this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const w of this.watchers.values()) for (const m of w.members) m.sink?.comment('ping');
      }, this.heartbeatMs);
      this.heartbeat.unref();
    } else if (!attached && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }
}
