/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered (CSS case, line breaks), which is what these tests check.
import { createTracker, SpanType, silentLogger } from '@graphtrace/core';
import { expect, it } from 'vitest';
import { artifactPath, describeBrowser, seededDashboardUi } from './helpers/browser.js';
import { EXPERIMENT, seedStore } from './helpers/seed.js';
import { COST_EXPERIMENT, seedCosts } from './helpers/seed-costs.js';

/*
 * The dashboard in headless Chromium over a real seeded SQLite store: what a user does, checked
 * on the page and, for feedback, in the store. Screenshots go to .test-artifacts/.
 */
describeBrowser('dashboard in Chromium', () => {
  const ctx = seededDashboardUi(
    'graphtrace-dashboard-',
    async (store) => {
      const seeded = await seedStore(store, { traces: 40 });
      // An experiment without traces, for the empty state.
      await store.getOrCreateExperiment('empty-experiment');
      // Traces of known cost, all in one minute a day earlier (one bucket over "all time").
      const minute = Math.floor((seeded.firstTime - 86_400_000) / 60_000) * 60_000;
      return { ...seeded, costs: await seedCosts(store, minute) };
    },
    { strictErrors: false },
  );
  const page = () => ctx.ui.page;

  const open = (hash: string) => ctx.open(hash);
  const rows = () => page().locator('table.traces-table tbody tr.clickable');
  const shot = (name: string) => page().screenshot({ path: artifactPath(name), fullPage: true });
  /**
   * Per chart (by title), the pixels of its canvas in a colour: a series drawn, not just axes
   * and grid (which are drawn on the same canvas in grey).
   */
  const pixelsIn = (hex: string) =>
    page().evaluate((hex) => {
      const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      const out: Record<string, number> = {};
      for (const figure of document.querySelectorAll('.chart')) {
        const title = figure.querySelector('.chart-title')?.textContent ?? '';
        const canvas = figure.querySelector('canvas');
        if (!canvas) continue;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 200 && want.every((v, c) => Math.abs(data[i + c]! - v) <= 8)) n++;
        }
        out[title] = n;
      }
      return out;
    }, hex);

  it('lists the traces, filters them, and shows a filter mistake inline with its column', async () => {
    await open('#/traces');
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 40,
    );
    expect(await page().locator('.count').innerText()).toBe('40 traces');
    expect(await page().locator('select').inputValue()).toBe(ctx.seeded.experimentId);
    expect(await rows().first().locator('.trace-name').innerText()).toBe('support_agent');
    // gpt-4o-mini at a few hundred tokens: a small cost, readable, never "$0.00".
    expect(await rows().first().locator('td.cost').innerText()).toMatch(/^\$0\.0000\d\d$/);
    await shot('traces.png');

    const box = page().getByLabel('Filter (MLflow search syntax)');
    await box.fill("attributes.status = 'ERROR'");
    await box.press('Enter');
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 8,
    );
    expect(await rows().locator('.badge-error').count()).toBe(8);
    await page().waitForFunction(
      () => document.querySelector('.count')?.textContent === '8 matching',
    );
    expect(page().url()).toContain('filter=attributes.status');

    await box.fill('tags.env = prod');
    await box.press('Enter');
    const error = page().locator('#filter-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/quote it.*\(column 12\)/s);
    expect(await page().locator('.filter-caret').innerText()).toBe('tags.env = prod\n           ^');
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    await shot('traces-filter-error.png');

    await page().getByRole('button', { name: 'Clear' }).click();
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 40,
    );
  });

  it('opens a trace: span tree beside the waterfall, chat messages, tool calls and results', async () => {
    await page().locator(`a[href="#/traces/${ctx.seeded.weatherTraceId}"]`).click();
    // A trace opens on its story (browser-story.test.ts); the tree is one click away.
    await page().getByRole('link', { name: 'Spans & waterfall' }).click();
    const tree = page().getByRole('tree', { name: 'Spans' });
    await tree.waitFor();
    const items = tree.getByRole('treeitem');
    expect(await items.locator('.span-name').allInnerTexts()).toEqual([
      'support_agent',
      'ChatOpenAI',
      'get_weather',
      'ChatOpenAI',
    ]);
    expect(await tree.locator('.bar').count()).toBe(4);

    // Fold the root, then expand it again.
    await page().getByRole('button', { name: 'Collapse' }).click();
    expect(await items.count()).toBe(1);
    await page().getByRole('button', { name: 'Expand' }).click();
    expect(await items.count()).toBe(4);

    // The root opens on its conversation.
    const detail = page().locator('.span-detail');
    expect(await detail.locator('.chat-message.role-user').first().innerText()).toContain(
      'What is the weather in Paris?',
    );

    // The first model call: the prompt, then the model asking for the tool.
    await items.nth(1).click();
    await detail.locator('h2', { hasText: 'ChatOpenAI' }).waitFor();
    expect(await detail.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(await detail.locator('.chat-message').locator('.chat-role').allInnerTexts()).toEqual([
      'SYSTEM',
      'USER',
      expect.stringMatching(/^ASSISTANT/),
    ]);
    const call = detail.locator('.tool-call');
    expect(await call.locator('.tool-call-head').innerText()).toMatch(/calls\s+get_weather/);
    expect(await call.locator('.json-view').innerText()).toMatch(/city:\s*"Paris"/);
    expect(await detail.locator('.facts').innerText()).toMatch(/gpt-4o-mini/);
    await shot('trace.png');

    // The second model call sees the tool's result, labelled with the call it answers.
    await items.nth(3).click();
    const toolMessage = detail.locator('.chat-message.role-tool');
    await toolMessage.waitFor();
    expect(await toolMessage.innerText()).toMatch(/result of get_weather/i);
    expect(await toolMessage.innerText()).toContain('"temperature_c":18');

    // The tool span itself: arguments and result.
    await items.nth(2).click();
    await detail.getByRole('tab', { name: 'Tool call' }).waitFor();
    expect(await detail.locator('.tool-result').innerText()).toMatch(/temperature_c:\s*18/);
    expect(page().url()).toContain('span=');
    await shot('trace-tool.png');

    // The keyboard moves along the tree.
    await page().keyboard.press('ArrowDown');
    await page().waitForFunction(
      () => document.querySelector('.span-row.selected .span-name')?.textContent === 'ChatOpenAI',
    );
    await page().keyboard.press('ArrowUp');
    await page().waitForFunction(
      () => document.querySelector('.span-row.selected .span-name')?.textContent === 'get_weather',
    );
  });

  it('opens a failed trace on the failed tool call, with its exception', async () => {
    await open(`#/traces/${ctx.seeded.errorTraceId}`);
    const selected = page().locator('.span-row.selected');
    await selected.waitFor();
    expect(await selected.locator('.span-name').innerText()).toBe('calculator');
    expect(await page().locator('.span-row.failed').count()).toBe(2);
    expect(await page().locator('.exception-title').innerText()).toBe(
      'RangeError: division by zero',
    );
    await page().getByText('Stack trace').click();
    expect(await page().locator('.exception pre').innerText()).toContain('RangeError');
    await shot('trace-error.png');
  });

  it('adds feedback from the trace page and stores it as an MLflow assessment', async () => {
    await open(`#/traces/${ctx.seeded.weatherTraceId}`);
    await page().getByRole('link', { name: 'Spans & waterfall' }).click();
    await page().locator('.span-row').nth(2).click(); // get_weather
    await page().getByRole('button', { name: 'Thumbs down' }).click();
    await page().getByLabel('Rationale').fill('The tool was called with the wrong unit');
    await page()
      .getByLabel(/About the selected span only \(get_weather\)/)
      .check();
    await page().getByRole('button', { name: 'Add feedback' }).click();
    const saved = page().locator('.saved');
    await saved.waitFor();
    const assessmentId = (await saved.innerText()).replace('Saved as ', '');
    expect(assessmentId).toMatch(/^a-[0-9a-f]{32}$/);
    expect(await page().locator(`[data-assessment-id="${assessmentId}"]`).innerText()).toMatch(
      /user_feedback[\s\S]*no[\s\S]*The tool was called with the wrong unit/,
    );

    const stored = await ctx.store.getAssessments(ctx.seeded.weatherTraceId);
    const spanId = await page().locator('.span-row.selected').getAttribute('data-span-id');
    expect(stored.find((a) => a.assessmentId === assessmentId)).toMatchObject({
      kind: 'feedback',
      name: 'user_feedback',
      value: false,
      rationale: 'The tool was called with the wrong unit',
      spanId,
      source: { sourceType: 'HUMAN' },
    });

    // A score, about the whole trace.
    await page().getByRole('button', { name: 'Score' }).click();
    await page().getByLabel('Score').fill('4.5');
    await page().getByLabel('Name').fill('helpfulness');
    await page().getByRole('button', { name: 'Add feedback' }).click();
    await page().waitForFunction(() => document.querySelectorAll('.assessment').length === 4);
    const all = await ctx.store.getAssessments(ctx.seeded.weatherTraceId);
    expect(
      all.find((a) => a.name === 'helpfulness' && a.source.sourceType === 'HUMAN'),
    ).toMatchObject({ value: 4.5, spanId: null });
    await shot('trace-feedback.png');
  });

  it('draws the agent metrics charts', async () => {
    await open('#/metrics');
    // Six agent charts, and the cost chart, which loads apart.
    await page().waitForFunction(() => document.querySelectorAll('.chart canvas').length === 7);
    const kpis = await page().locator('.kpi').allInnerTexts();
    expect(kpis[0]).toMatch(/TRACES\s+40/);
    expect(kpis[1]).toMatch(/ERROR RATE\s+20%/);
    expect(await page().locator('.chart-title').allInnerTexts()).toEqual([
      'Traces per interval',
      'Latency (p50 / p95)',
      'Error rate',
      'Tokens (input / output)',
      'LLM calls per trace',
      'Tool calls per trace',
      'Cost per interval (USD)',
    ]);
    // Every canvas has something drawn on it.
    const painted = await page().evaluate(() =>
      [...document.querySelectorAll<HTMLCanvasElement>('.chart canvas')].map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      }),
    );
    expect(painted.every((n) => n > 50)).toBe(true);
    expect(await page().locator('.page-head .coverage').innerText()).toBe('SQL · 40 traces');
    // sqliteAnalytics has no cost aggregates: the dashboard scanned for them, and says so.
    expect(await page().locator('.cost-section .coverage').first().innerText()).toBe(
      'scan · 40 traces',
    );
    expect((await pixelsIn('#0d9488'))['Cost per interval (USD)']).toBeGreaterThan(50);
    await shot('metrics.png');
  });

  it('shows costs per trace, per model call and per model, and draws a single-bucket range', async () => {
    await open('#/traces');
    await page()
      .locator('select')
      .selectOption({ label: `${COST_EXPERIMENT} (3 traces)` });
    try {
      await costPages();
    } finally {
      // The experiment choice is remembered: the next tests are about the agent's.
      await page().locator('select').selectOption(ctx.seeded.experimentId);
    }
  });

  const costPages = async () => {
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 3,
    );
    const costOf = (name: string) =>
      rows()
        .filter({ has: page().locator('.trace-name', { hasText: new RegExp(`^${name}$`) }) })
        .locator('td.cost');
    expect(await costOf('priced_agent').innerText()).toBe('$0.00045');
    expect(await costOf('priced_agent').getAttribute('title')).toBe(
      '$0.00015 input · $0.0003 output',
    );
    expect(await costOf('mixed_agent').innerText()).toBe('$0.00045');
    // No known price: no cost, not $0.
    expect(await costOf('unpriced_agent').innerText()).toBe('—');
    await shot('traces-cost.png');

    // The trace page: the trace's cost in the header, each call's beside its tokens.
    await page().locator(`a[href="#/traces/${ctx.seeded.costs.mixedTraceId}"]`).click();
    const head = page().locator('.trace-head .trace-cost dd');
    await head.waitFor();
    expect(await head.innerText()).toBe('$0.00045 ($0.00015 in · $0.0003 out)');
    await page().getByRole('link', { name: 'Spans & waterfall' }).click();
    const items = page().getByRole('tree', { name: 'Spans' }).getByRole('treeitem');
    const detail = page().locator('.span-detail');
    await items.nth(1).click();
    await detail.locator('dd', { hasText: 'gpt-4o-mini' }).waitFor();
    const facts = await detail.locator('.facts').innerText();
    expect(facts).toMatch(/Provider\s+openai/i);
    expect(facts).toMatch(/Tokens\s+1,000 in · 500 out/i);
    expect(await detail.locator('.span-cost dd').innerText()).toBe(
      '$0.00045 ($0.00015 in · $0.0003 out)',
    );
    await shot('trace-cost.png');
    await items.nth(2).click();
    await detail.locator('dd', { hasText: 'in-house-model' }).waitFor();
    expect(await detail.locator('.facts').innerText()).toMatch(/Provider\s+acme/i);
    expect(await detail.locator('.span-cost dd').innerText()).toBe('—');
    await open(`#/traces/${ctx.seeded.costs.unpricedTraceId}`);
    await page().locator('.trace-head .trace-cost dd').waitFor();
    expect(await page().locator('.trace-head .trace-cost dd').innerText()).toBe('—');

    // Metrics over all time: the three traces fall in one one-minute bucket.
    await open('#/metrics?range=all');
    const table = page().locator('table.model-costs-table');
    await table.waitFor();
    await page().locator('.cost-section .chart canvas').waitFor();
    expect(await page().locator('.range-line').innerText()).toMatch(/one point per 1 minute$/);
    expect(await page().locator('.cost-section .kpi').allInnerTexts()).toEqual([
      'TOTAL COST\n$0.0009',
      'PER PRICED TRACE\n$0.00045',
      'PRICED TRACES\n2 of 3',
      'INPUT · OUTPUT\n$0.0003 · $0.0006',
    ]);
    expect(await page().locator('.cost-note').innerText()).toMatch(/1 of 3 traces have no cost/);
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      );
    expect(cells).toEqual([
      ['gpt-4o-mini', 'openai', '2', '2,000', '1,000', '$0.0009', '$0.00045'],
      ['in-house-model', 'acme', '2', '2,000', '1,000', '—', '—'],
    ]);
    // One bucket, drawn: the cost bar, and the lines' lone points (uPlot draws no line
    // through a single point, and put it on the plot's edge).
    const cost = await pixelsIn('#0d9488');
    expect(cost['Cost per interval (USD)']).toBeGreaterThan(50);
    const p50 = await pixelsIn('#0ea5e9');
    expect(p50['Latency (p50 / p95)']).toBeGreaterThan(20);
    const input = await pixelsIn('#8b5cf6');
    expect(input['Tokens (input / output)']).toBeGreaterThan(20);
    await shot('metrics-cost.png');
  };

  it('shows tools, sessions, quality and runs', async () => {
    await open('#/tools');
    const calculator = page().locator('tr', { hasText: 'calculator' });
    await calculator.waitFor();
    expect(await calculator.innerText()).toMatch(/8\s+8\s+100%/);
    await calculator.click();
    const failure = page().locator('.call-lists a').last();
    expect(await page().locator('.call-error').first().innerText()).toBe(
      'RangeError: division by zero',
    );
    await shot('tools.png');
    await failure.click();
    await page().locator('.exception-title').waitFor();
    expect(await page().locator('.span-row.selected .span-name').innerText()).toBe('calculator');

    await open('#/sessions');
    await page().locator('tbody tr').first().waitFor();
    expect(await page().locator('tbody tr').count()).toBe(6);
    await shot('sessions.png');
    await page().locator('a[href="#/sessions/session-2"]').click();
    await page().locator('.session-timeline').waitFor();
    expect(await page().locator('.session-timeline > li').count()).toBe(7);
    expect(await page().locator('.bubble.user').first().innerText()).toBe(
      'How do I reset my password?',
    );
    await shot('session.png');

    await open('#/quality');
    await page().locator('.card').first().waitFor();
    const cards = await page().locator('.card').allInnerTexts();
    expect(cards.find((c) => c.startsWith('user_feedback'))).toMatch(/0%/); // one thumbs down
    expect(cards.find((c) => c.startsWith('helpfulness'))).toMatch(/mean 4\.25/);
    await shot('quality.png');

    await open('#/runs');
    await page().locator('a', { hasText: 'nightly-eval' }).click();
    await page().locator('.chart canvas').waitFor();
    expect(await page().locator('.chart-title').innerText()).toBe('accuracy by step');
    await page()
      .locator('a', { hasText: /^loss$/ })
      .click();
    await page().waitForFunction(
      () => document.querySelector('.chart-title')?.textContent === 'loss by step',
    );
    await shot('run.png');
  });

  it('shows new traces as they arrive (live refresh)', async () => {
    await open('#/traces');
    await page().waitForFunction(
      () => document.querySelectorAll('table.traces-table tbody tr.clickable').length === 40,
    );
    const tracker = createTracker({
      store: ctx.store,
      experimentName: EXPERIMENT,
      logger: silentLogger,
      handleExitSignals: false,
    });
    await tracker.withSpan({ name: 'live_trace', spanType: SpanType.AGENT }, async () => 'hello');
    await tracker.shutdown();
    // The row, its highlight (set once the rows have rendered) and the count (fetched beside
    // the rows) may land in separate renders: wait for all three.
    await page().waitForFunction(
      () => {
        const row = document.querySelector('table.traces-table tbody tr');
        return (
          row?.querySelector('.trace-name')?.textContent === 'live_trace' &&
          row.classList.contains('row-fresh') &&
          document.querySelector('.count')?.textContent === '41 traces'
        );
      },
      undefined,
      { timeout: 15_000 },
    );
    expect(await rows().first().getAttribute('class')).toContain('row-fresh');
    expect(await page().locator('.count').innerText()).toBe('41 traces');
  });

  it('has empty, not-found and narrow-screen layouts', async () => {
    await open('#/traces');
    await page().locator('select').selectOption({ label: 'empty-experiment (0 traces)' });
    await page().getByText('No traces recorded yet').waitFor();
    await shot('traces-empty.png');
    await page().locator('select').selectOption(ctx.seeded.experimentId);

    await open(`#/traces/tr-${'0'.repeat(32)}`);
    await page().getByText('Not found').waitFor();

    await page().setViewportSize({ width: 390, height: 844 });
    await open('#/traces');
    await rows().first().waitFor();
    const overflow = await page().evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('traces-narrow.png');
    await open(`#/traces/${ctx.seeded.weatherTraceId}`);
    await page().getByRole('link', { name: 'Spans & waterfall' }).click();
    await page().getByRole('tree', { name: 'Spans' }).waitFor();
    expect(
      await page().evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    ).toBeLessThanOrEqual(0);
    await shot('trace-narrow.png');
    await page().setViewportSize({ width: 1280, height: 800 });
  });

  it('raised no errors in the page', () => {
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});
