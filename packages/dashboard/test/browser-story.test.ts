/// <reference lib="dom" />
// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text as rendered, which is what these tests check.
import { expect, it } from 'vitest';
import { artifactPath, describeBrowser, seededDashboardUi } from './helpers/browser.js';
import {
  ANSWER,
  FOLLOW_UP,
  QUESTION,
  RATE_LIMITED_QUESTION,
  STORY_SESSION,
  seedStory,
  TOOL_ERROR,
} from './helpers/seed-story.js';

/*
 * "Why did the agent call this tool with these arguments?", answered on the trace page's first
 * screen: a ReAct agent whose tool fails, then is called again and succeeds, read as a story;
 * each call one click from its span in the tree. Then the same agent's tool calls on the
 * session and tools pages. Screenshots go to .test-artifacts/.
 */
describeBrowser('the agent’s story in Chromium', () => {
  const ctx = seededDashboardUi('graphtrace-story-', seedStory);
  const page = () => ctx.ui.page;
  const open = (hash: string) => ctx.open(hash);
  const shot = (name: string) => page().screenshot({ path: artifactPath(name), fullPage: true });
  const selectedSpan = () => page().locator('.span-row.selected').getAttribute('data-span-id');

  it('opens a trace on its story: question, tool calls with arguments, the error, the result, the answer', async () => {
    await open(`#/traces/${ctx.seeded.traceId}`);
    const story = page().locator('.story');
    await story.waitFor();
    expect(
      await page().getByRole('link', { name: 'Story', exact: true }).getAttribute('aria-current'),
    ).toBe('page');
    // The tree is one click away, not on screen.
    expect(await page().locator('.span-tree').count()).toBe(0);

    expect(
      await story.locator('.story-conversation .chat-message.role-user').innerText(),
    ).toContain(QUESTION);
    const models = story.locator('.story-model');
    expect(await models.count()).toBe(2);
    expect(await models.first().locator('.story-text').innerText()).toBe('Let me look that up.');

    const calls = story.locator('.story-tool-call');
    expect(await calls.count()).toBe(2);
    const [typo, retry] = [calls.nth(0), calls.nth(1)];
    expect(await typo.locator('.tool-call-head').first().innerText()).toMatch(
      /get_weather\s+call_0_0/,
    );
    expect(await typo.locator('.story-args').innerText()).toMatch(/city:\s*"Pariss"/);
    expect(await typo.locator('.tool-result.failed .error-message').innerText()).toBe(TOOL_ERROR);
    expect(await typo.getAttribute('class')).toContain('failed');
    expect(await retry.locator('.story-args').innerText()).toMatch(/city:\s*"Paris"/);
    expect(await retry.locator('.tool-result').innerText()).toMatch(
      /Result[\s\S]*temperature_c:\s*18[\s\S]*conditions:\s*"sunny"/,
    );
    expect(await retry.locator('.tool-result.failed').count()).toBe(0);
    expect(await story.locator('.story-answer-text').innerText()).toBe(ANSWER);

    // All of it on the first screen, beside the trace's figures: no scrolling to the answer.
    const answer = await story.locator('.story-answer-text').boundingBox();
    expect(answer!.y + answer!.height).toBeLessThanOrEqual(800);
    await page().screenshot({ path: artifactPath('trace-story.png') });
    await shot('trace-story-full.png');
  });

  it('opens the tool call’s span, and the model call that issued it, in the tree', async () => {
    await open(`#/traces/${ctx.seeded.traceId}`);
    const calls = page().locator('.story-tool-call');
    await calls.first().waitFor();

    await calls.first().locator('a.tool-call-link').click();
    await page().getByRole('tree', { name: 'Spans' }).waitFor();
    expect(page().url()).toContain(`view=tree&span=${ctx.seeded.spans.failedTool}`);
    expect(await selectedSpan()).toBe(ctx.seeded.spans.failedTool);
    expect(await page().locator('.span-row.selected .span-name').innerText()).toBe('get_weather');
    expect(await page().locator('.span-detail .exception-title').innerText()).toBe(TOOL_ERROR);
    expect(
      await page().getByRole('link', { name: 'Spans & waterfall' }).getAttribute('aria-current'),
    ).toBe('page');
    await shot('trace-story-tool-span.png');

    // Back to the story (the browser's back button), then the model call behind the retry.
    await page().goBack();
    await calls.nth(1).waitFor();
    await calls.nth(1).locator('a.issued-by').click();
    await page().locator('.span-row.selected').waitFor();
    expect(await selectedSpan()).toBe(ctx.seeded.spans.models[1]);
    expect(await page().locator('.span-row.selected .span-name').innerText()).toBe('ChatOpenAI');
    // Its chat shows the failed call's error message, which is why it called again.
    expect(
      await page().locator('.span-detail .chat-message.role-tool').first().innerText(),
    ).toContain('unknown city: Pariss');

    // And the tab back to the story.
    await page().getByRole('link', { name: 'Story', exact: true }).click();
    await page().locator('.story').waitFor();
    expect(page().url()).toContain('view=story');
  });

  it('tells a hand-written trace with what it has', async () => {
    await open(`#/traces/${ctx.seeded.manualTraceId}`);
    const story = page().locator('.story');
    await story.waitFor();
    expect(await story.locator('.story-conversation').innerText()).toMatch(
      /question:\s*"Refunds\?"/,
    );
    expect(await story.locator('.story-step .tool-call-link').allInnerTexts()).toEqual([
      'search_docs',
    ]);
    expect(await story.locator('.story-model .story-text').innerText()).toBe(
      'Refunds are accepted within 30 days.',
    );
    expect(await story.locator('.story-answer').innerText()).toMatch(/sources:\s*1/);
    await shot('trace-story-manual.png');
  });

  it('opens a failed trace on the failing span; its story names the failure', async () => {
    await open(`#/traces/${ctx.seeded.failedTraceId}`);
    await page().locator('.span-row.selected').waitFor();
    expect(await selectedSpan()).toBe(ctx.seeded.failedModelSpanId);
    expect(await page().locator('.span-detail .exception-title').innerText()).toBe(
      'RateLimitError: slow down',
    );
    await page().getByRole('link', { name: 'Story', exact: true }).click();
    const story = page().locator('.story');
    await story.waitFor();
    expect(await story.locator('.story-failure .exception-title').innerText()).toBe(
      'RateLimitError: slow down',
    );
    expect(await story.locator('.story-conversation').innerText()).toContain(RATE_LIMITED_QUESTION);
    expect(await story.locator('.story-model .error-message').innerText()).toBe(
      'RateLimitError: slow down',
    );
    expect(await story.locator('.story-prompt').count()).toBe(0);
    expect(await story.locator('.story-answer').innerText()).toMatch(/None: the trace failed/);
    await shot('trace-story-failed.png');
  });

  it('shows each session turn’s tool calls and the session’s first input', async () => {
    await open('#/sessions?range=all');
    const row = page().locator('tbody tr', { hasText: STORY_SESSION });
    await row.waitFor();
    expect(await row.locator('td.first-input').innerText()).toBe(QUESTION);
    await shot('sessions-first-input.png');

    await row.locator('a').first().click();
    const turns = page().locator('.session-timeline > li');
    await turns.first().locator('.turn-tools').waitFor();
    expect(await turns.count()).toBe(2);
    const first = turns.nth(0).locator('.turn-tool');
    expect(await first.allInnerTexts()).toEqual([
      expect.stringMatching(/get_weather\s*!/),
      expect.stringMatching(/get_weather$/),
    ]);
    expect(await first.nth(0).getAttribute('class')).toContain('failed');
    expect(await first.nth(0).getAttribute('title')).toBe(TOOL_ERROR);
    expect(await first.nth(1).getAttribute('class')).not.toContain('failed');
    expect(await turns.nth(1).locator('.bubble.user').innerText()).toBe(FOLLOW_UP);
    expect(await turns.nth(1).locator('.turn-tool').allInnerTexts()).toEqual([
      expect.stringMatching(/get_forecast$/),
    ]);
    await shot('session-tools.png');

    // A turn's tool opens its span.
    await first.nth(0).click();
    await page().locator('.span-row.selected').waitFor();
    expect(await selectedSpan()).toBe(ctx.seeded.spans.failedTool);
  });

  it('shows the arguments of a tool’s failed and slowest calls', async () => {
    await open('#/tools?range=all');
    const weather = page().locator('tr', { hasText: 'get_weather' });
    await weather.waitFor();
    await weather.click();
    const lists = page().locator('.call-lists > div');
    await lists.first().waitFor();
    const failures = lists.filter({ hasText: 'Recent failures' });
    expect(await failures.locator('.call-args').allInnerTexts()).toEqual(['{"city":"Pariss"}']);
    expect(await failures.locator('.call-error').innerText()).toBe(TOOL_ERROR);
    const slowest = lists.filter({ hasText: 'Slowest calls' });
    expect((await slowest.locator('.call-args').allInnerTexts()).sort()).toEqual([
      '{"city":"Paris"}',
      '{"city":"Pariss"}',
    ]);
    await shot('tools-arguments.png');
  });

  it('fits a narrow screen', async () => {
    await page().setViewportSize({ width: 390, height: 844 });
    try {
      await open(`#/traces/${ctx.seeded.traceId}`);
      await page().locator('.story-answer-text').waitFor();
      expect(
        await page().evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ),
      ).toBeLessThanOrEqual(0);
      await shot('trace-story-narrow.png');
    } finally {
      await page().setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('raised no errors in the page', () => {
    expect(ctx.ui.pageErrors).toEqual([]);
  });
});
