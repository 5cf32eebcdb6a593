import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { type ModeTracing, nothingToTrace } from './mode-tracing.js';

/**
 * A do-nothing handler registered the same global way as autolog (inheritable configure hook,
 * awaited callbacks, every method present): LangChain's own cost of delivering the callbacks.
 */
export function setUpFloor(): ModeTracing {
  let callbacks = 0;
  class Nothing extends BaseCallbackHandler {
    name = 'bench_nothing';
    override awaitHandlers = true;
    override handleChainStart() {
      callbacks++;
    }
    override handleChainEnd() {
      callbacks++;
    }
    override handleChatModelStart() {
      callbacks++;
    }
    override handleLLMEnd() {
      callbacks++;
    }
    override handleToolStart() {
      callbacks++;
    }
    override handleToolEnd() {
      callbacks++;
    }
  }
  registerConfigureHook({ contextVar: 'bench_nothing', inheritable: true });
  setContextVariable('bench_nothing', new Nothing());
  return { ...nothingToTrace, callbacks: () => callbacks };
}
