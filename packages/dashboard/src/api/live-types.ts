/*
 * The events of `GET /api/live` (server-sent events). Each is `event: <name>` with `data:` one
 * line of JSON; `traces` events carry an `id:` (the newest trace time heard of, ms), which a
 * browser's EventSource sends back as `Last-Event-ID` when it reconnects, so traces that
 * arrived meanwhile are announced then.
 */

/** Sent once a stream opens. */
export interface LiveReadyEvent {
  /** Start time (ms) of the newest trace of the query so far, or null when there is none. */
  newest: number | null;
  /**
   * How long the server reuses an aggregate (ms): pages of aggregates reload this long after a
   * push so that the answer includes the new traces.
   */
  cacheTtlMs: number;
}

/**
 * `traces`: traces of the query written since the last event (or since `since`, on connecting),
 * the shape of `/api/traces/new`'s answer.
 */
export interface LiveTracesEvent {
  count: number;
  /** The server read at most 100 traces: there may be more. */
  capped: boolean;
  /** Start time (ms) of the newest of them. */
  newest: number | null;
}

/** Live push of new traces (`createDashboardApp` / `startDashboard` option `live`). */
export interface LiveOptions {
  /**
   * How often the store is asked for new traces, ms (default 1000). One read per distinct query
   * (experiments, filter, search) however many pages watch it.
   */
  intervalMs?: number;
  /**
   * Live streams open at once, at most (default 100); beyond it `/api/live` answers 503 and
   * pages fall back to asking every 5 s. 0 turns push off.
   */
  maxStreams?: number;
  /** A comment line this often keeps proxies from closing a quiet stream, ms (default 15 000). */
  heartbeatMs?: number;
}
