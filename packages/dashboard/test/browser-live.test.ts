/// <reference lib="dom" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered, which is what these tests check.
import { createTracker, SpanType, silentLogger } from '@graphtrace/core';
import { beforeAll, expect, it } from 'vitest';
import { startDashboard } from '../src/index.js';
import {
  artifactPath,
  describeBrowser,
  seededDashboardUi,
  watchPageErrors,
} from './helpers/browser.js';
import { EXPERIMENT } from './helpers/seed.js';
import { seedWithDocs } from './helpers/seed-docs-agent.js';

/*
 * Live push in headless Chromium over a real SQLite store: traces a tracker writes while the
 * page is open arrive through `/api/live` (server-sent events) in about a second, where the
 * page used to ask `/api/traces/new` every 5 s; a page whose stream the server refuses falls
 * back to that polling. And a session opened by a URL naming no experiment finds its own.
 */
describeBrowser('dashboard: live push and session links', () => {
  const ctx = seededDashboardUi('graphtrace-live-', seedWithDocs(20), {
    cacheTtlMs: null,
    strictErrors: false,
  });
  const page = () => ctx.ui.page;
  /** Every API request the page made, as paths with their query. */
  const requests: string[] = [];

  beforeAll(() => {
    page().setDefaultTimeout(8_000);
    page().on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) requests.push(url.pathname + url.search);
    });
  });

  const picker = () => page().locator('.experiment-select select');
  const rows = (on = page()) => on.locator('table.traces-table tbody tr.clickable');
  const shot = (name: string, on = page()) =>
    on.screenshot({ path: artifactPath(name), fullPage: true });
  const waitForRows = (n: number, on = page()) =>
    on.waitForFunction(
      (n) => document.querySelectorAll('table.traces-table tbody tr.clickable').length === n,
      n,
    );
  const polled = () => requests.filter((r) => r.startsWith('/api/traces/new'));
  let written = 0;
  const writeTrace = async (name: string) => {
    const tracker = createTracker({
      store: ctx.store,
      experimentName: EXPERIMENT,
      logger: silentLogger,
      handleExitSignals: false,
    });
    await tracker.withSpan({ name, spanType: SpanType.AGENT }, async (root) => {
      tracker.updateCurrentTrace({ session: `live-session-${++written}` });
      return root.traceId;
    });
    await tracker.shutdown();
  };
  /** Loads the support agent's traces afresh (`query`: sort…); resolves once its stream opened. */
  const openTraces = async (query = '', base = ctx.ui.server.url, on = page()) => {
    // A change of hash alone keeps the page, and its open stream.
    await on.goto('about:blank');
    const streamed = on.waitForResponse((r) => r.url().includes('/api/live?'));
    await on.goto(`${base}/#/traces${query}`);
    if ((await on.locator('.experiment-select select').inputValue()) !== ctx.seeded.experimentId) {
      await on.locator('.experiment-select select').selectOption(ctx.seeded.experimentId);
    }
    await rows(on).first().waitFor();
    return streamed;
  };

  it('shows a trace written after the page loaded within about a second, pushed, not polled', async () => {
    const stream = await openTraces();
    expect((await stream).headers()['content-type']).toBe('text/event-stream');
    await waitForRows(20);
    await page().waitForFunction(
      () => document.querySelector('.count')?.textContent === '20 traces',
    );

    const started = Date.now();
    await writeTrace('pushed_trace');
    await page().waitForFunction(
      () => {
        const row = document.querySelector('table.traces-table tbody tr');
        return (
          row?.querySelector('.trace-name')?.textContent === 'pushed_trace' &&
          row.classList.contains('row-fresh') &&
          document.querySelector('.count')?.textContent === '21 traces'
        );
      },
      undefined,
      { timeout: 4_000 },
    );
    // The old page polled every 5 s; the watcher reads every second.
    expect(Date.now() - started).toBeLessThan(3_000);
    await shot('live-pushed.png');
    expect(polled()).toEqual([]);
    expect(requests.filter((r) => r.startsWith('/api/live?'))).toHaveLength(1);
  });

  it('announces new traces with the "N new traces" button on a view not sorted newest first', async () => {
    await openTraces('?sort=latency:desc');
    await writeTrace('sorted_away_1');
    await page().locator('.new-traces').waitFor({ timeout: 4_000 });
    expect(await page().locator('.new-traces').innerText()).toBe('1 new trace — show newest');
    // Counts add up as more arrive.
    await writeTrace('sorted_away_2');
    await page().waitForFunction(
      () => document.querySelector('.new-traces')?.textContent === '2 new traces — show newest',
      undefined,
      { timeout: 4_000 },
    );
    await shot('live-pending.png');
    await page().locator('.new-traces').click();
    await page().waitForFunction(
      () =>
        document.querySelector('table.traces-table tbody tr .trace-name')?.textContent ===
        'sorted_away_2',
    );
    expect(page().url()).not.toContain('sort=');
    expect(await page().locator('.new-traces').count()).toBe(0);
    expect(polled()).toEqual([]);
  });

  it('falls back to asking every 5 s when the server refuses the stream', async () => {
    // A server with push off: every stream is refused with a 503.
    const refusing = await startDashboard({
      store: ctx.store,
      port: 0,
      queries: ctx.ui.analytics,
      logger: silentLogger,
      live: { maxStreams: 0 },
    });
    const other = await ctx.ui.browser.context.newPage();
    other.setDefaultTimeout(8_000);
    const errors = watchPageErrors(other);
    try {
      const polls: number[] = [];
      other.on('request', (r) => {
        if (r.url().includes('/api/traces/new?')) polls.push(Date.now());
      });
      const refused = await openTraces('', refusing.url, other);
      expect((await refused).status()).toBe(503);
      const before = await rows(other).count();
      // Three refused streams (1 s and 2 s apart), then the first poll 5 s later.
      await other.waitForRequest((r) => r.url().includes('/api/traces/new?'), { timeout: 15_000 });
      await writeTrace('polled_trace');
      await other.waitForFunction(
        () =>
          document.querySelector('table.traces-table tbody tr .trace-name')?.textContent ===
          'polled_trace',
        undefined,
        { timeout: 8_000 },
      );
      await waitForRows(Math.min(before + 1, 50), other);
      await shot('live-fallback.png', other);
      expect(polls.length).toBeGreaterThanOrEqual(1);
      // Only the EventSource's own complaint about the refused stream, nothing thrown.
      expect(errors.filter((e) => !/EventSource|text\/event-stream/.test(e))).toEqual([]);
    } finally {
      await other.close();
      await refusing.close();
    }
  }, 40_000);

  it('opens a session linked without its experiment in the experiment that holds it', async () => {
    await openTraces();
    expect(await picker().inputValue()).toBe(ctx.seeded.experimentId);
    // The docs agent's session, while the support agent's experiment is selected.
    await page().goto(`${ctx.ui.server.url}/#/sessions/docs-session-1`);
    await page().locator('.session-timeline').waitFor();
    expect(await page().locator('.session-timeline > li').count()).toBe(3);
    await page().waitForFunction(
      (id) => document.querySelector<HTMLSelectElement>('.experiment-select select')?.value === id,
      ctx.seeded.docs.experimentId,
    );
    expect(page().url()).toContain(`experiment=${ctx.seeded.docs.experimentId}`);
    await shot('live-session-elsewhere.png');

    // A session no experiment holds says so.
    await page().goto(`${ctx.ui.server.url}/#/sessions/no-such-session`);
    await page().getByText('No traces in this session').waitFor();
    expect(await page().locator('.state-empty').innerText()).toContain(
      'No experiment holds a trace with the session no-such-session',
    );
  });

  it('refreshes the sessions list when a trace of a new session arrives', async () => {
    // A short aggregate cache: the list reloads one cache lifetime after the push.
    const quick = await startDashboard({
      store: ctx.store,
      port: 0,
      queries: ctx.ui.analytics,
      logger: silentLogger,
      cacheTtlMs: 1_000,
    });
    try {
      await openTraces('', quick.url);
      const streamed = page().waitForResponse((r) => r.url().includes('/api/live?'));
      await page().goto(`${quick.url}/#/sessions`);
      await page().locator('table.table tbody tr').first().waitFor();
      await streamed;
      await writeTrace('new_session_trace');
      const session = `live-session-${written}`;
      await page().waitForFunction(
        (session) =>
          [...document.querySelectorAll('table.table tbody tr td:first-child')].some(
            (td) => td.textContent === session,
          ),
        session,
        { timeout: 6_000 },
      );
      await shot('live-sessions.png');
    } finally {
      await quick.close();
    }
  }, 30_000);

  it('raised no errors in the page', () => {
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});
