/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered (CSS case, line breaks), which is what these tests check.
import { beforeAll, expect, it } from 'vitest';
import { artifactPath, describeBrowser, seededDashboardUi } from './helpers/browser.js';
import {
  BY_COST,
  BY_TOKENS,
  LIST_NAMES,
  RECOVERED_ANSWER,
  seedTraceList,
} from './helpers/seed-trace-list.js';

/*
 * The trace list's response, tool-error and assessment columns, its sort by cost and tokens,
 * and a custom time range, in headless Chromium over a real SQLite store (SQL analytics).
 */
describeBrowser('the trace list in Chromium', () => {
  const ctx = seededDashboardUi(
    'graphtrace-traces-list-',
    (store) => seedTraceList(store, Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000),
    { strictErrors: false },
  );
  const page = () => ctx.ui.page;
  beforeAll(() => page().setDefaultTimeout(8_000));

  const rows = () => page().locator('table.traces-table tbody tr.clickable');
  const row = (name: string) =>
    rows().filter({ has: page().locator(`a.trace-name:text-is("${name}")`) });
  const shot = (name: string) => page().screenshot({ path: artifactPath(name), fullPage: true });
  /** Waits until the rows' trace names are exactly `names`, in order. */
  const waitForNames = (names: readonly string[]) =>
    page().waitForFunction(
      (names) =>
        JSON.stringify(
          [...document.querySelectorAll('table.traces-table tbody tr.clickable .trace-name')].map(
            (a) => a.textContent,
          ),
        ) === JSON.stringify(names),
      names,
    );
  const header = (label: string) =>
    page().locator('table.traces-table th.sortable button', { hasText: label });
  /** A time as the datetime-local inputs hold it, in the browser's time zone. */
  const localInput = (ms: number) =>
    page().evaluate((ms) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    }, ms);

  it('shows the response, a tool-error badge on recovered traces, and the assessments', async () => {
    await page().goto(`${ctx.ui.server.url}/#/traces?experiment=${ctx.seeded.experimentId}`);
    await waitForNames([...LIST_NAMES].reverse());

    expect(await row('recovering_agent').locator('td.response-cell').innerText()).toContain(
      RECOVERED_ANSWER,
    );
    // OK, yet a tool call failed: counted by graphtrace, or (another SDK's trace) read from spans.
    expect(await rows().locator('.badge-tool-error').count()).toBe(2);
    for (const name of ['recovering_agent', 'foreign_agent']) {
      const badge = row(name).locator('.badge-tool-error');
      expect(await badge.innerText()).toBe('tool error');
      expect(await row(name).locator('.badge-ok').count()).toBe(1);
    }

    const pricey = row('pricey_agent').locator('td.assessments-cell');
    expect(await pricey.locator('.assessment-chip').count()).toBe(2);
    expect(await pricey.locator('.assessment-chip.thumb.up').count()).toBe(1);
    expect(await pricey.getAttribute('title')).toContain('helpfulness: 4 · LLM_JUDGE · judge');
    const cheap = row('cheap_agent').locator('td.assessments-cell');
    expect(await cheap.locator('.assessment-chip.thumb.down').count()).toBe(1);
    expect(await cheap.getAttribute('title')).toBe('user_feedback: no · HUMAN · ada — Too short');
    expect(await row('recovering_agent').locator('.assessment-chip.expectation').innerText()).toBe(
      'ships tomorrow',
    );
    expect(await row('unpriced_agent').locator('td.assessments-cell').innerText()).toBe('—');
    await shot('traces-list-columns.png');
  });

  it('sorts by cost and by tokens, most first, then the other way', async () => {
    await header('Cost').click();
    await waitForNames(BY_COST);
    expect(page().url()).toContain('sort=cost%3Adesc');
    expect(await header('Cost').locator('..').getAttribute('aria-sort')).toBe('descending');
    // The unpriced trace comes last, "—", never as $0.
    expect(await rows().last().locator('td.cost').innerText()).toBe('—');
    await shot('traces-list-by-cost.png');

    await header('Tokens').click();
    await waitForNames(BY_TOKENS);
    await header('Tokens').click();
    await waitForNames([...BY_TOKENS].reverse());
    expect(page().url()).toContain('sort=tokens%3Aasc');
    // SQL sorted every trace: no "newest traces only" note.
    expect(await page().locator('.order-note').count()).toBe(0);
  });

  it('shows a custom time range, kept in the URL, and refuses an end before the start', async () => {
    await page().goto(`${ctx.ui.server.url}/#/traces?experiment=${ctx.seeded.experimentId}`);
    await waitForNames([...LIST_NAMES].reverse());
    await page().getByRole('button', { name: 'Custom…' }).click();
    const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
    const from = page().getByLabel('From', { exact: true });
    const to = page().getByLabel('To', { exact: true });
    // Traces 1 and 2: from the minute of the second trace to the minute of the fourth.
    await from.fill(await localInput(minute(ctx.seeded.times[1]!)));
    await to.fill(await localInput(minute(ctx.seeded.times[3]!)));
    await page().getByRole('button', { name: 'Apply range' }).click();
    await waitForNames(['unpriced_agent', 'pricey_agent']);
    await page().waitForFunction(
      () => document.querySelector('.count')?.textContent === '2 matching',
    );
    const url = new URL(page().url().replace('#/', ''));
    expect(url.searchParams.get('range')).toBe('custom');
    expect(Number(url.searchParams.get('from'))).toBe(minute(ctx.seeded.times[1]!));
    expect(Number(url.searchParams.get('to'))).toBe(minute(ctx.seeded.times[3]!));
    expect(await page().getByRole('button', { name: 'Custom…' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await shot('traces-list-custom-range.png');

    // A reload keeps it; the sort applies within it.
    await page().reload();
    await waitForNames(['unpriced_agent', 'pricey_agent']);
    await header('Cost').click();
    await waitForNames(['pricey_agent', 'unpriced_agent']);

    // An end before the start is refused where it was typed; the list stays as it was.
    await from.fill(await localInput(minute(ctx.seeded.times[3]!)));
    await to.fill(await localInput(minute(ctx.seeded.times[1]!)));
    await page().getByRole('button', { name: 'Apply range' }).click();
    expect(await page().locator('#range-error').innerText()).toBe(
      'The start must be before the end.',
    );
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page().url().replace('#/', '')).searchParams.get('from')).toBe(
      String(minute(ctx.seeded.times[1]!)),
    );
    await shot('traces-list-range-error.png');

    // Other pages take the same custom range.
    const custom = `range=custom&from=${minute(ctx.seeded.times[0]!)}&to=${minute(ctx.seeded.times[4]!) + 60_000}`;
    await page().goto(`${ctx.ui.server.url}/#/tools?${custom}`);
    await page().locator('.range-picker .custom-range').waitFor();
    expect(await page().getByRole('button', { name: 'Custom…' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await page().locator('table.tools-table').getByText('lookup_order').waitFor();

    // On a phone the presets wrap and the custom form stays on the screen.
    await page().setViewportSize({ width: 390, height: 800 });
    await page().goto(
      `${ctx.ui.server.url}/#/traces?experiment=${ctx.seeded.experimentId}&${custom}`,
    );
    await waitForNames([...LIST_NAMES].reverse());
    const overflow = await page().evaluate(() =>
      [...document.querySelectorAll('.range-picker, .custom-range input, .custom-range button')]
        .map((e) => e.getBoundingClientRect().right)
        .filter((right) => right > window.innerWidth + 1),
    );
    expect(overflow).toEqual([]);
    await shot('traces-list-narrow.png');
    await page().setViewportSize({ width: 1280, height: 800 });
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});
