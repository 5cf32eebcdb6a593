import { parseFilter } from '@graphtrace/core';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { LiveHub } from './live-hub.js';
import { newTracesQuery, parseQuery } from './query.js';

/** `/api/traces/new`'s parameters, `since` optional: without it, from when the stream opens. */
const liveQuery = newTracesQuery.partial({ since: true });

/** How long a browser waits before reconnecting a dropped stream, ms. */
const RETRY_MS = 2000;
/**
 * Writes a stream may have waiting at most: a client that stops reading is let go rather than
 * have its events pile up in memory (events are small and at most one a second).
 */
const MAX_PENDING_WRITES = 32;

/** `Last-Event-ID`: the newest trace time a reconnecting browser heard of (our own ids). */
function lastEventId(header: string | undefined): number | undefined {
  return header && /^\d{1,16}$/.test(header) ? Number(header) : undefined;
}

function sseEvent(name: string, data: unknown, id?: string): string {
  // JSON.stringify escapes line breaks, so the data is one `data:` line.
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n${id === undefined ? '' : `id: ${id}\n`}\n`;
}

/**
 * `GET /api/live?experiment=&filter=&search=&since=`: server-sent events announcing the
 * query's new traces (`live-types.ts`), for the traces page to refresh without polling.
 */
export function registerLiveRoutes(app: Hono, hub: LiveHub): void {
  app.get('/api/live', async (c) => {
    const q = parseQuery(new URL(c.req.url), liveQuery);
    // A 400 with the mistake's column now, not a stream that never says anything.
    parseFilter(q.filter, 'traces');
    const resumed = lastEventId(c.req.header('last-event-id'));
    const since = Math.max(q.since ?? -1, resumed ?? -1);
    const lease = await hub.join(
      { experiment: q.experiment, filter: q.filter, search: q.search },
      since < 0 ? null : since,
    );
    // Through proxies such as nginx, which would otherwise buffer the stream.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      let pending = 0;
      const write = (text: string) => {
        if (pending >= MAX_PENDING_WRITES) return finish();
        pending++;
        void stream.write(text).finally(() => {
          pending--;
        });
      };
      stream.onAbort(finish);
      write(`retry: ${RETRY_MS}\n\n`);
      lease.attach({
        event: (name, data, id) => write(sseEvent(name, data, id)),
        comment: (text) => write(`: ${text}\n\n`),
        end: finish,
      });
      await finished;
      lease.leave();
    });
  });
}
