/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered (CSS case, line breaks), which is what these tests check.
import { readFileSync } from 'node:fs';
import { createTracker, SpanType, silentLogger } from '@graphtrace/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetailResponse } from '../src/api/types.js';
import { startDashboard } from '../src/index.js';
import { DEFAULT_PORT } from '../src/server/start-dashboard.js';
import { artifactPath, describeBrowser, seededDashboardUi } from './helpers/browser.js';
import { EXPERIMENT } from './helpers/seed.js';
import { DOCS_EXPERIMENT, DOCS_QUESTIONS, seedWithDocs } from './helpers/seed-docs-agent.js';

/*
 * The bugs a first session found (issue 17), each as the user met them, in headless Chromium
 * over a real SQLite store holding two experiments. The server keeps its default 10 s
 * aggregate cache, as `graphtrace ui` does.
 */
describeBrowser('dashboard: a first session (issue 17)', () => {
  const ctx = seededDashboardUi('graphtrace-first-session-', seedWithDocs(40), {
    cacheTtlMs: null,
    strictErrors: false,
  });
  const page = () => ctx.ui.page;
  // A bug shows as a failed wait: fail it in seconds, not at the 30 s default.
  beforeAll(() => page().setDefaultTimeout(8_000));

  const open = async (hash: string, base = ctx.ui.server.url) => {
    await page().goto(`${base}/${hash}`);
  };
  const picker = () => page().locator('.experiment-select select');
  const rows = () => page().locator('table.traces-table tbody tr.clickable');
  const shot = (name: string) => page().screenshot({ path: artifactPath(name), fullPage: true });
  const waitForRows = (n: number) =>
    page().waitForFunction(
      (n) => document.querySelectorAll('table.traces-table tbody tr.clickable').length === n,
      n,
    );
  const waitForCount = (text: string) =>
    page().waitForFunction((text) => document.querySelector('.count')?.textContent === text, text);
  /** Picks an experiment in the header, from the traces page. */
  const choose = async (experimentId: string) => {
    await open('#/traces');
    await picker().selectOption(experimentId);
    await rows().first().waitFor();
  };
  const waitForPicker = (experimentId: string) =>
    page().waitForFunction(
      (id) => document.querySelector<HTMLSelectElement>('.experiment-select select')?.value === id,
      experimentId,
    );

  it('bug 2: a trace of another experiment leads to its session and its run’s traces', async () => {
    await choose(ctx.seeded.experimentId);
    await open(`#/traces/${ctx.seeded.docs.traceIds[1]}`);
    await waitForPicker(ctx.seeded.docs.experimentId);

    await page().locator('a[href^="#/sessions/docs-session-1"]').first().click();
    await page().locator('.session-timeline').waitFor();
    expect(await page().locator('.session-timeline > li').count()).toBe(3);
    await shot('first-session-cross-session.png');

    await open(`#/traces/${ctx.seeded.docs.traceIds[1]}`);
    await page().locator(`a[href^="#/runs/${ctx.seeded.docs.runId}"]`).first().click();
    await page().getByText("show the run's traces").click();
    await waitForCount('6 matching');
    await waitForRows(6);

    // Opened by URL with the other experiment selected: a run, and a session link that
    // carries its experiment.
    await choose(ctx.seeded.experimentId);
    await open(`#/runs/${ctx.seeded.docs.runId}`);
    await waitForPicker(ctx.seeded.docs.experimentId);
    await page().getByText("show the run's traces").click();
    await waitForCount('6 matching');

    await choose(ctx.seeded.experimentId);
    await open(`#/sessions/docs-session-2?experiment=${ctx.seeded.docs.experimentId}`);
    await page().locator('.session-timeline').waitFor();
    expect(await page().locator('.session-timeline > li').count()).toBe(3);
    await waitForPicker(ctx.seeded.docs.experimentId);
  });

  it('bug 3: an invalid filter shows no count and no rows', async () => {
    await choose(ctx.seeded.experimentId);
    await open(`#/traces?filter=${encodeURIComponent("attributes.status = 'ERROR'")}`);
    await waitForCount('8 matching');
    await waitForRows(8);

    const box = page().getByLabel('Filter (MLflow search syntax)');
    await box.fill('status = ERROR');
    await box.press('Enter');
    await page().locator('#filter-error').waitFor();
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 0,
    );
    expect(await page().locator('.count').innerText()).toBe('');
    expect(await page().locator('.pager').count()).toBe(0);
    await shot('first-session-invalid-filter.png');
  });

  it('bug 3: plain words are searched, server-side, in requests and responses', async () => {
    await choose(ctx.seeded.experimentId);
    const box = page().getByLabel('Filter (MLflow search syntax)');
    // Plain words are no MLflow filter: the mistake offers to search them instead.
    await box.fill('What is');
    await box.press('Enter');
    await page().locator('#filter-error').waitFor();
    await page().getByRole('button', { name: 'Search for these words instead' }).click();
    const search = page().getByLabel('Search request and response');
    expect(await search.inputValue()).toBe('What is');
    expect(await box.inputValue()).toBe('');
    // "What is the weather…" and "What is 12 divided by 0?": two questions of five.
    await waitForCount('16 matching');
    await waitForRows(16);
    expect(page().url()).toContain('search=What+is');

    // Words only in the response ("sunny" is the weather tool's answer).
    await search.fill('SUNNY');
    await search.press('Enter');
    await waitForCount('8 matching');
    await waitForRows(8);
    for (const preview of await rows().locator('.preview').allInnerTexts())
      expect(preview).toContain('weather in Paris');
    await shot('first-session-search.png');

    // With a filter: AND.
    await box.fill("attributes.status = 'ERROR'");
    await box.press('Enter');
    await waitForCount('0 matching');
    await search.fill('what is');
    await search.press('Enter');
    await waitForCount('8 matching');
    expect(await rows().locator('.badge-error').count()).toBe(8);

    // A trace id finds its trace.
    await page().getByRole('button', { name: 'Clear' }).first().click();
    await search.fill(ctx.seeded.weatherTraceId);
    await search.press('Enter');
    await waitForCount('1 matching');
    expect(await rows().first().locator('a.trace-name').getAttribute('href')).toBe(
      `#/traces/${ctx.seeded.weatherTraceId}`,
    );
  });

  it('bug 4: a duration stored in whole milliseconds shows no decimals it does not have', async () => {
    await open(`#/traces/${ctx.seeded.docs.shortTraceId}`);
    const latency = page().locator('.trace-head dt', { hasText: 'Latency' }).locator('xpath=..');
    await latency.waitFor();
    expect(await latency.locator('dd').innerText()).toBe('2 ms');
    // Its root span, timed in nanoseconds, lasts 2.21 ms: the trace's 2 ms is that, cut.
    const detail = (await (
      await fetch(`${ctx.ui.server.url}/api/traces/${ctx.seeded.docs.shortTraceId}`)
    ).json()) as TraceDetailResponse;
    expect(detail.trace.durationMs).toBe(2);
    expect(detail.spans[0]!.durationMs).toBeCloseTo(2.21, 5);

    await choose(ctx.seeded.docs.experimentId);
    const short = rows().filter({
      has: page().locator(`a[href="#/traces/${ctx.seeded.docs.shortTraceId}"]`),
    });
    expect(await short.locator('td.num').first().innerText()).toBe('2 ms');
  });

  it('bug 5: the runs list shows the agent metrics and MLflow’s run status', async () => {
    await choose(ctx.seeded.docs.experimentId);
    await open('#/runs');
    const table = page().locator('main table').first();
    await table.waitFor();
    const cells = await table.evaluate((t) => {
      const heads = [...t.querySelectorAll('thead th')].map((th) => th.textContent);
      const tds = [...t.querySelectorAll('tbody tr:first-child td')];
      return Object.fromEntries(heads.map((h, i) => [h, tds[i]?.textContent ?? null]));
    });
    expect(cells).toMatchObject({
      Status: 'FINISHED',
      Traces: '6',
      Tokens: '375',
      'Error rate': '0%',
    });
    // gpt-4o-mini at a few hundred tokens.
    expect(cells.Cost).toMatch(/^\$0\.0000\d+$/);
    await shot('first-session-runs.png');
  });

  it('bug 5: a run page shows MLflow’s status and opens on a metric with values', async () => {
    await choose(ctx.seeded.docs.experimentId);
    await open('#/runs');
    await page().locator('a', { hasText: 'docs-eval' }).click();
    await page().locator('.chart canvas').waitFor();
    expect(await page().locator('.chart-title').innerText()).toBe('agent.total_tokens by step');
    expect(await page().locator('.page-head .badge').innerText()).toBe('FINISHED');
    await shot('first-session-run.png');

    // A run with metrics of its own opens on them.
    await choose(ctx.seeded.experimentId);
    await open(`#/runs/${ctx.seeded.runId}`);
    await page().locator('.chart canvas').waitFor();
    expect(await page().locator('.chart-title').innerText()).toBe('accuracy by step');
  });

  it('bug 7: the header picker shows the experiment’s whole text', async () => {
    await choose(ctx.seeded.docs.experimentId);
    const select = picker();
    const full = `${DOCS_EXPERIMENT} (6 traces)`;
    expect(await select.getAttribute('title')).toBe(full);
    // The chosen name is drawn whole: the select is as wide as its text needs.
    const fits = await select.evaluate((el: HTMLSelectElement) => {
      const style = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const text = el.selectedOptions[0]!.text;
      const room = el.clientWidth - Number.parseFloat(style.paddingLeft) - 20; // 20: the arrow
      return { text, width: ctx.measureText(text).width, room };
    });
    expect(fits.text).toBe(full);
    expect(fits.width).toBeLessThanOrEqual(fits.room + 2);
  });

  it('bug 7: quality cards align their titles', async () => {
    await choose(ctx.seeded.docs.experimentId);
    await open('#/quality');
    const cards = page().locator('.card');
    await cards.first().waitFor();
    const tops = await cards.evaluateAll((els) =>
      els.map(
        (card) =>
          card.querySelector('.card-head')!.getBoundingClientRect().top -
          card.getBoundingClientRect().top,
      ),
    );
    expect(tops.length).toBe(3);
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(1);
  });

  it('bug 7: quality trace links tell traces of one name apart', async () => {
    await choose(ctx.seeded.docs.experimentId);
    await open('#/quality');
    await page().locator('table tbody td:last-child a').first().waitFor();
    const links = await page().locator('table tbody td:last-child a').allInnerTexts();
    expect(links.length).toBe(4);
    expect(new Set(links).size).toBe(4);
    for (const question of DOCS_QUESTIONS.slice(1, 5))
      expect(
        links.some((l) => l.includes(question)),
        question,
      ).toBe(true);
    await shot('first-session-quality.png');
  });

  it('bug 8: after a live refresh the count agrees with the rows', async () => {
    // A server of its own: an empty count cache, which the live refresh lands inside.
    const fresh = await startDashboard({
      store: ctx.store,
      port: 0,
      queries: ctx.ui.analytics,
      logger: silentLogger,
    });
    try {
      await open('#/traces', fresh.url);
      await picker().selectOption(ctx.seeded.experimentId);
      await waitForRows(40);
      await waitForCount('40 traces');
      const tracker = createTracker({
        store: ctx.store,
        experimentName: EXPERIMENT,
        logger: silentLogger,
        handleExitSignals: false,
      });
      await tracker.withSpan({ name: 'live_trace', spanType: SpanType.AGENT }, async () => 'hi');
      await tracker.shutdown();
      await page().waitForFunction(
        () =>
          document.querySelector('table.traces-table tbody tr .trace-name')?.textContent ===
          'live_trace',
        undefined,
        { timeout: 15_000 },
      );
      await waitForRows(41);
      await waitForCount('41 traces');
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it('raised no errors in the page', () => {
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});

describe('README (bug 6)', () => {
  it('gives the port the dashboard listens on by default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const ports = [
      ...readme.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g),
      // the usage line's default: `[--port N]` (an example such as `--port 8080` is no default)
      ...readme.matchAll(/\[--port (\d+)\]/g),
    ].map((m) => Number(m[1]));
    expect(ports.length).toBeGreaterThan(1);
    expect(ports.filter((p) => p !== DEFAULT_PORT)).toEqual([]);
  });
});
