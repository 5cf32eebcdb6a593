import { createRequire } from 'node:module';
import type { Logger } from '@graphtrace/core';
import { CallbackManager } from '@langchain/core/callbacks/manager';

/**
 * Notices when LangGraph runs without autolog's handler, and says why, once.
 *
 * @langchain/core keeps its configure-hook registry under a module-local Symbol, so a hook
 * registered through one copy of the package is never seen by another copy: a graph built on a
 * second copy runs untraced, silently. Every copy shares one AsyncLocalStorage instance (a
 * `Symbol.for` global) and enters it with each node's config, so for a short while after
 * `autolog()` its `run` is observed: the first LangGraph node config either carries our handler
 * (all is well; observation stops) or does not (one warning naming the cause; observation
 * stops). The original `run` is restored in both cases.
 */

const ALS_KEY = Symbol.for('ls:tracing_async_local_storage');
const CHILD_CONFIG_KEY = Symbol.for('lc:child_config');
const CONTEXT_VARIABLES_KEY = Symbol.for('lc:context_variables');
/** Calls to observe at most, so an app that never runs LangGraph is not observed forever. */
const MAX_OBSERVED_CALLS = 100_000;

export type ReachabilityVerdict =
  | { reachable: true }
  | { reachable: false; cause: 'second-copy' | 'module-format' | 'context'; message: string };

interface Als {
  run: (store: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown;
}

export interface ReachabilityOptions {
  /** The handler autolog published: judged by identity, so an old, disabled one does not count. */
  handler: object;
  contextVar: string;
  logger: Logger;
  onVerdict?: (verdict: ReachabilityVerdict) => void;
}

export interface ReachabilityProbe {
  readonly active: boolean;
  stop(): void;
}

type Obj = Record<PropertyKey, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object';

/** Judges one store entered by `runWithConfig`; null while there is nothing to judge. */
export function judgeStore(
  store: unknown,
  handler: object,
  contextVar: string,
): ReachabilityVerdict | null {
  if (!isObj(store)) return null;
  const extra = store.extra;
  const config = isObj(extra) ? extra[CHILD_CONFIG_KEY] : undefined;
  if (!isObj(config)) return null;
  const metadata = config.metadata;
  // Only a LangGraph node execution proves that a graph ran: judge those alone.
  if (!isObj(metadata) || typeof metadata.langgraph_node !== 'string') return null;
  const callbacks = config.callbacks;
  const handlers = isObj(callbacks) && Array.isArray(callbacks.handlers) ? callbacks.handlers : [];
  if (handlers.includes(handler)) return { reachable: true };
  const vars = store[CONTEXT_VARIABLES_KEY];
  const handlerVisible = isObj(vars) && vars[contextVar] === handler;
  const foreignManager =
    isObj(callbacks) && !Array.isArray(callbacks) && !(callbacks instanceof CallbackManager);
  if (isObj(callbacks) && isCommonJsManager(callbacks)) {
    return {
      reachable: false,
      cause: 'module-format',
      message:
        'autolog is on, but a LangGraph graph just ran without its callback handler: the graph ' +
        'runs on the CommonJS build of the same installed @langchain/core whose ES-module build ' +
        'autolog uses, and autolog could not add its hook to that build, so nothing from it is ' +
        'traced. This is one copy, not two: deduping will not help. Load LangGraph the way your ' +
        'app loads graphtrace (import both, or require both), or pass ' +
        '`callbacks: [new GraphtraceCallbackHandler(tracker)]` to the invocation.',
    };
  }
  if (handlerVisible || foreignManager) {
    return {
      reachable: false,
      cause: 'second-copy',
      message:
        'autolog is on, but a LangGraph graph just ran without its callback handler: the graph ' +
        'uses a second installed copy of @langchain/core, not the one ' +
        "@graphtrace/autolog-langgraph uses, and @langchain/core's configure hooks do not cross " +
        'copies, so nothing from it is traced. `npm ls @langchain/core` (or ' +
        '`pnpm why @langchain/core`) lists both copies: make them one with `npm dedupe` or an ' +
        '`overrides`/`resolutions` entry pinning one version, or pass ' +
        '`callbacks: [new GraphtraceCallbackHandler(tracker)]` to the invocation.',
    };
  }
  return {
    reachable: false,
    cause: 'context',
    message:
      'autolog is on, but a LangGraph graph just ran without its callback handler: autolog() ' +
      'was called in an async context that does not enclose this invocation (LangChain keeps ' +
      'configure hooks in AsyncLocalStorage). Call autolog() once at startup, before any ' +
      '`await` of your entry module, or pass ' +
      '`callbacks: [new GraphtraceCallbackHandler(tracker)]` to the invocation.',
  };
}

/** Whether `manager` is a CallbackManager of the CommonJS build of the copy autolog imports. */
function isCommonJsManager(manager: object): boolean {
  try {
    const cjs = createRequire(import.meta.url)('@langchain/core/callbacks/manager');
    return cjs.CallbackManager !== CallbackManager && manager instanceof cjs.CallbackManager;
  } catch {
    return false;
  }
}

export function startReachabilityProbe(options: ReachabilityOptions): ReachabilityProbe {
  const als = (globalThis as Obj)[ALS_KEY] as Als | undefined;
  if (!als || typeof als.run !== 'function') return { active: false, stop() {} };
  const hadOwn = Object.hasOwn(als, 'run');
  const original = als.run;
  let calls = 0;
  let active = true;

  const stop = () => {
    if (!active) return;
    active = false;
    // Restore only if nobody replaced our wrapper meanwhile.
    if (als.run === wrapper) {
      if (hadOwn) als.run = original;
      else delete (als as Partial<Als>).run;
    }
  };

  const wrapper: Als['run'] = function (this: unknown, store, fn, ...args) {
    if (active) {
      try {
        if (++calls > MAX_OBSERVED_CALLS) stop();
        else {
          const verdict = judgeStore(store, options.handler, options.contextVar);
          if (verdict) {
            stop();
            if (!verdict.reachable) options.logger.warn(verdict.message);
            options.onVerdict?.(verdict);
          }
        }
      } catch {
        // Observation must never disturb the run itself.
      }
    }
    return original.call(this, store, fn, ...args);
  };
  als.run = wrapper;
  return {
    get active() {
      return active;
    },
    stop,
  };
}
