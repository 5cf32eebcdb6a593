import { AsyncResource } from 'node:async_hooks';
import { reactScript, ScriptedChatModel } from '@graphtrace/autolog-langgraph/testing';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { setUpMode } from './mode-tracing.js';
import {
  type ChildReply,
  type ChildRequest,
  INVOCATIONS_PER_ROUND,
  MODES,
  type Mode,
  SLOW_INVOCATIONS_PER_ROUND,
  SLOW_WARM_INVOCATIONS,
  TOOL_ROUNDS,
} from './protocol.js';

/**
 * One mode's process (LangChain's configure hook is process-global and cannot be unregistered):
 * `node child.js <mode> <model latency ms>`; the parent asks for rounds over IPC, and each round
 * reports its own time, so IPC is not measured.
 */
const mode = process.argv[2] as Mode;
const latencyMs = Number(process.argv[3] ?? 0);
if (!MODES.includes(mode)) throw new Error(`unknown mode ${JSON.stringify(mode)}`);

const lookup = tool(async ({ key }: { key: string }) => `value of ${key}`, {
  name: 'lookup',
  description: 'Looks a key up',
  schema: z.object({ key: z.string() }),
});
const agentWith = (latency: number) => {
  const model = new ScriptedChatModel({
    latencyMs: latency,
    script: reactScript(TOOL_ROUNDS, [{ name: 'lookup', args: { key: 'k' } }], 'finished'),
  });
  return createReactAgent({ llm: model, tools: [lookup] });
};
const agent = agentWith(latencyMs);
const invoke = () => agent.invoke({ messages: [new HumanMessage('go')] });
// The same agent with an instant model, for warming a slow-model child up.
const instant = latencyMs > 0 ? agentWith(0) : agent;

const tracing = await setUpMode(mode, invoke);
const work =
  tracing.work?.bind(tracing) ??
  (async (n: number) => {
    for (let i = 0; i < n; i++) await invoke();
  });
const perRound = latencyMs > 0 ? SLOW_INVOCATIONS_PER_ROUND : INVOCATIONS_PER_ROUND;
const reply = (r: ChildReply) => process.send?.(r);

// LangChain keeps configure hooks in AsyncLocalStorage: the IPC channel predates the set-up
// above, so its messages are handled in the set-up's async context, as a server would be.
const onMessage = AsyncResource.bind(async (m: ChildRequest) => {
  try {
    if (m.cmd === 'round') {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await work(perRound);
      await tracing.flush();
      const cpu = process.cpuUsage(c0);
      const ns = Number(process.hrtime.bigint() - t0);
      const spans = await tracing.settle();
      reply({ ns, cpuNs: (cpu.user + cpu.system) * 1000, ops: perRound, spans });
    } else if (m.cmd === 'warm') {
      if (tracing.work) await tracing.work(SLOW_WARM_INVOCATIONS);
      else
        for (let i = 0; i < SLOW_WARM_INVOCATIONS; i++)
          await instant.invoke({ messages: [new HumanMessage('go')] });
      await tracing.flush();
      await tracing.settle();
      reply({});
    } else if (m.cmd === 'stats') {
      const before = tracing.callbacks?.() ?? 0;
      if (!tracing.work) await invoke();
      reply({
        spansPerInvocation: await tracing.countSpans(),
        callbacksPerInvocation: (tracing.callbacks?.() ?? 0) - before,
      });
    } else {
      tracing.cleanup();
      process.exit(0);
    }
  } catch (err) {
    reply({ error: String((err as Error)?.stack ?? err) });
  }
});
process.on('message', onMessage);
reply({});
