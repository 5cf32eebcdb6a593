/// <reference lib="dom" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered, which is what these tests check.
import { expect, it } from 'vitest';
import { artifactPath, describeBrowser, seededDashboardUi } from './helpers/browser.js';
import { GRAPH_SESSION, seedGraph } from './helpers/seed-graph.js';

/*
 * The graph view of a trace recorded by the real autolog: the supervisor's nodes and edges with
 * the path the invocation took, its ReAct subgraph below it, each node one click from its span;
 * then the resumed invocation, whose path starts where the interrupt stopped.
 */
describeBrowser('the graph view in Chromium', () => {
  const ctx = seededDashboardUi('graphtrace-graph-', seedGraph);
  const page = () => ctx.ui.page;
  const open = (hash: string) => ctx.open(hash);
  const section = (i: number) => page().locator('.graph-section').nth(i);
  /** [node, times run] of one drawn graph, and its edges as `a>b` with times taken. */
  const drawn = async (i: number) => ({
    nodes: Object.fromEntries(
      await section(i)
        .locator('.graph-node')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-node'), Number(e.getAttribute('data-runs'))]),
        ),
    ),
    taken: Object.fromEntries(
      await section(i)
        .locator('.graph-edge.taken')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-edge'), Number(e.getAttribute('data-count'))]),
        ),
    ),
  });

  it('draws the graph with the path taken, the subgraph below, and links each node to its span', async () => {
    await open(`#/traces/${ctx.seeded.pausedTraceId}`);
    await page().locator('.trace-view-tabs a', { hasText: 'Graph' }).click();
    await page().locator('.graph-section svg').first().waitFor();
    expect(page().url()).toContain('view=graph');
    await expect.poll(() => page().locator('.graph-section').count()).toBe(2);

    const outer = await drawn(0);
    expect(outer.nodes).toEqual({
      __start__: 0,
      route: 1,
      math_agent: 1,
      chat: 0,
      review: 1,
      __end__: 0,
    });
    // Paused in review: the edge to the end was not taken.
    expect(outer.taken).toEqual({
      '__start__>route': 1,
      'route>math_agent': 1,
      'math_agent>review': 1,
    });
    await expect.poll(() => section(0).locator('.graph-edge.conditional').count()).toBe(2);

    await expect
      .poll(() => section(1).locator('h3').textContent())
      .toContain('Subgraph math_agent');
    const inner = await drawn(1);
    expect(inner.nodes).toMatchObject({ agent: 2, tools: 1 });
    expect(inner.taken).toEqual({
      '__start__>agent': 1,
      'agent>tools': 1,
      'tools>agent': 1,
      'agent>__end__': 1,
    });
    await expect
      .poll(() => section(1).locator('.graph-path li').allInnerTexts())
      .toEqual(['step 1 agent ← __start__', 'step 2 tools ← agent', 'step 3 agent ← tools']);
    await page().screenshot({ path: artifactPath('graph-view.png'), fullPage: true });

    // A node opens its span in the tree.
    await section(0).locator('.graph-node[data-node="math_agent"] a').click();
    await page().locator('.span-row.selected').waitFor();
    expect(page().url()).toContain('view=tree');
    await expect
      .poll(() => page().locator('.span-row.selected').textContent())
      .toContain('math_agent');
  });

  it('the resumed invocation starts where the interrupt stopped, and reaches the end', async () => {
    await open(`#/traces/${ctx.seeded.resumedTraceId}?view=graph`);
    await page().locator('.graph-section svg').first().waitFor();
    const outer = await drawn(0);
    expect(outer.nodes).toMatchObject({ review: 1, route: 0, math_agent: 0 });
    expect(outer.taken).toEqual({ 'review>__end__': 1 });
    await expect
      .poll(() => section(0).locator('.graph-path li').allInnerTexts())
      .toEqual(['step 3 review ← resumed']);
  });

  it('shows the paused and the resumed invocation as one conversation turn, linked', async () => {
    await open(`#/sessions/${GRAPH_SESSION}?experiment=${ctx.seeded.experimentId}`);
    const turns = page().locator('.session-timeline > li');
    await expect.poll(() => turns.count()).toBe(2);
    await expect
      .poll(() => turns.nth(0).locator('.pause-note').allInnerTexts())
      .toEqual(['paused for input']);
    expect(await turns.nth(1).getAttribute('class')).toContain('resumed');
    expect(await turns.nth(1).locator('.bubble.user').textContent()).toBe('resume: yes');
    const back = turns.nth(1).locator('.pause-note.resumed a');
    expect(await back.textContent()).toBe('#1');
    expect(await back.getAttribute('href')).toBe(`#/traces/${ctx.seeded.pausedTraceId}`);
    await page().screenshot({ path: artifactPath('graph-session.png'), fullPage: true });

    // The resumed trace's page names the trace it continues.
    await open(`#/traces/${ctx.seeded.resumedTraceId}`);
    const fact = page().locator('.trace-pause dd');
    await expect.poll(() => fact.textContent()).toBe('resumes the paused trace');
    await fact.locator('a').click();
    await expect.poll(() => page().url()).toContain(ctx.seeded.pausedTraceId);
    await expect
      .poll(() => page().locator('.trace-pause dd').textContent())
      .toBe('paused for input');
  });

  it('offers no graph tab for a trace without one, and the page had no errors', async () => {
    await open(`#/traces/${ctx.seeded.plainTraceId}`);
    await page().locator('.trace-view-tabs a', { hasText: 'Story' }).waitFor();
    expect(await page().locator('.trace-view-tabs a').allInnerTexts()).toEqual([
      'Story',
      'Spans & waterfall',
    ]);
    // A link to the graph of such a trace says there is none.
    await open(`#/traces/${ctx.seeded.plainTraceId}?view=graph`);
    await expect
      .poll(() => page().locator('.graph-panel').textContent())
      .toContain('no LangGraph graph');
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});
