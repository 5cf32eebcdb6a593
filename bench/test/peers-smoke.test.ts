import { describe, expect, it } from 'vitest';
import { smokeMode } from '../src/autolog-react/smoke.js';

// The peer modes of `pnpm bench autolog-react` run here only as a smoke, one round each: the
// numbers come from calm runs. A mode that exports no spans, or drops some, fails.
describe('autolog-react peer modes (one round)', () => {
  it.each(['langfuse', 'openinference', 'sqlite-limit'] as const)(
    '%s records spans',
    async (mode) => {
      const { spansPerInvocation, usPerInvocation } = await smokeMode(mode);
      // The agent: 10 tool rounds, each a model call and a tool call, with LangGraph's chains.
      expect(spansPerInvocation).toBeGreaterThan(40);
      expect(usPerInvocation).toBeGreaterThan(0);
    },
  );

  // Internal chains off: the graph, its 21 node runs, 11 model and 10 tool calls.
  it.each([
    ['autolog-sql', 76],
    ['autolog-sql-reference', 76],
    ['autolog-sql-off', 43],
  ] as const)('%s records %i spans per invocation', async (mode, spans) => {
    expect((await smokeMode(mode)).spansPerInvocation).toBe(spans);
  });

  // A slow-model child is warmed up with an instant model (same code paths), then measured.
  it('a slow-model child warms up, then runs its round at the model latency', async () => {
    const { spansPerInvocation, usPerInvocation } = await smokeMode('autolog-sql', 5);
    expect(spansPerInvocation).toBe(76);
    // 11 model calls of 5 ms each per invocation: the round ran the slow agent.
    expect(usPerInvocation).toBeGreaterThan(11 * 5 * 1000);
  });
});
