import { createRequire } from 'node:module';
import {
  GraphtraceError,
  getDefaultTracker,
  registerActiveSpanResolver,
  type Tracker,
} from '@graphtrace/core';
import { consumeCallback } from '@langchain/core/callbacks/promises';
import {
  getContextVariable,
  registerConfigureHook,
  setContextVariable,
} from '@langchain/core/context';
import {
  GraphtraceCallbackHandler,
  type GraphtraceCallbackHandlerOptions,
  type InternalChains,
} from './callback-handler.js';
import { currentRunSpan } from './parent-span.js';
import {
  type ReachabilityProbe,
  type ReachabilityVerdict,
  startReachabilityProbe,
} from './reachability.js';

/** The LangChain context variable that holds the active handler (read by the configure hook). */
export const AUTOLOG_CONTEXT_VAR = 'graphtrace_autolog_handler';
// Set beside the hook in the same context, so "is the hook visible here?" is one lookup.
const HOOK_MARKER_VAR = 'graphtrace_autolog_hook_registered';
const CJS_HOOK_MARKER_VAR = 'graphtrace_autolog_cjs_hook_registered';
// LangChain's AsyncLocalStorage, shared by every copy of @langchain/core.
const ALS_KEY = Symbol.for('ls:tracing_async_local_storage');

export interface AutologOptions extends GraphtraceCallbackHandlerOptions {
  /** Where traces go; default: the tracker set by core's `init()`. */
  tracker?: Tracker;
  /** false: turn autolog off (same as `disable: true`). */
  enabled?: boolean;
  disable?: boolean;
  /**
   * Watch the first LangGraph run and warn once if it ran without autolog's handler (a second
   * copy of @langchain/core, or autolog() called outside the invocation's async context).
   * Default true.
   */
  checkReachability?: boolean;
  /**
   * 'context' (default): runs started from the async context autolog() was called in (the rest
   * of the program, when called at startup). 'process': every run of the process, wherever it
   * starts: what a preloaded module needs, since Node 24 no longer carries a preload's async
   * context into the program.
   */
  scope?: 'context' | 'process';
}

export interface AutologHandle {
  readonly enabled: boolean;
  readonly tracker: Tracker | null;
  /** The registered handler (null when off). */
  readonly handler: GraphtraceCallbackHandler | null;
  /** The reachability check's verdict: null until a LangGraph node has run (or when off). */
  readonly reachability: ReachabilityVerdict | null;
  /** Turns autolog off; spans still open are ended. Later `autolog()` calls turn it on again. */
  disable(): void;
  /**
   * Waits for the callbacks LangChain still delivers in the background (a run's last ones may
   * arrive after `invoke` returns), then flushes the tracker: call it before the process ends.
   * It does not wait for LangSmith's uploads when LangSmith tracing is on too.
   */
  flush(): Promise<void>;
}

/** The subset of graphtrace's configuration autolog reads (`observability.mlflow`). */
export interface AutologConfigSection {
  autolog_enabled?: boolean;
  user?: string | undefined;
  record_internal_chains?: InternalChains | undefined;
}

export type AutologConfigInput =
  | { observability?: { mlflow?: AutologConfigSection | undefined } | undefined }
  | AutologConfigSection;

interface State {
  handler: GraphtraceCallbackHandler;
  tracker: Tracker;
  optionsKey: string;
  scope: 'context' | 'process';
  probe: ReachabilityProbe | null;
  verdict: ReachabilityVerdict | null;
}

let state: State | null = null;

let resolverRegistered = false;

/**
 * Lets core see the LangGraph node (or tool, or chain) running in the current async context as
 * the active span, so a user's `withSpan()`/`trace()` inside a node nests under the node.
 */
function ensureActiveSpanResolver(): void {
  if (resolverRegistered) return;
  resolverRegistered = true;
  registerActiveSpanResolver(currentRunSpan);
}

function isTracker(v: unknown): v is Tracker {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as Tracker).startRun === 'function' &&
    typeof (v as Tracker).tracer === 'object'
  );
}

function handle(s: State | null): AutologHandle {
  return {
    get enabled() {
      return s !== null && state === s && s.handler.enabled;
    },
    tracker: s?.tracker ?? null,
    handler: s?.handler ?? null,
    get reachability() {
      return s?.verdict ?? null;
    },
    disable() {
      if (s && state === s) disableAutolog();
    },
    async flush() {
      await callbackQueueIdle();
      await s?.tracker.flushTraces();
    },
  };
}

/**
 * Resolves once the callbacks LangChain had queued to run in the background have run. Not
 * `awaitAllCallbacks()`: that also waits for LangSmith's trace uploads, which keep retrying for
 * about 90 s when LangSmith tracing is on and its endpoint is unreachable.
 */
function callbackQueueIdle(): Promise<void> {
  // The queue runs one callback at a time, in order: this one runs after all queued before it.
  return new Promise((resolve) => {
    void consumeCallback(async () => resolve(), false);
  });
}

function disableAutolog(): void {
  const s = state;
  state = null;
  if (!s) return;
  s.probe?.stop();
  s.handler.setEnabled(false);
  if (s.scope === 'process') processStore = undefined;
  try {
    setContextVariable(AUTOLOG_CONTEXT_VAR, undefined);
  } catch {
    // No AsyncLocalStorage: the handler is inert anyway.
  }
}

/**
 * Publishes `handler` through LangChain's configure hook, so every run started from this async
 * context on (the rest of the program, when called at startup) gets it without `callbacks`.
 */
function publish(handler: GraphtraceCallbackHandler): void {
  setContextVariable(AUTOLOG_CONTEXT_VAR, handler);
  if (getContextVariable(HOOK_MARKER_VAR) !== true) {
    registerConfigureHook({ contextVar: AUTOLOG_CONTEXT_VAR, inheritable: true });
    setContextVariable(HOOK_MARKER_VAR, true);
  }
  // One installed @langchain/core is two module instances when an app `require`s LangGraph:
  // context variables are shared (one global AsyncLocalStorage), configure hooks are not. The
  // CommonJS instance gets the same hook, reading the same variable.
  if (getContextVariable(CJS_HOOK_MARKER_VAR) !== true) {
    commonJsContext()?.registerConfigureHook({
      contextVar: AUTOLOG_CONTEXT_VAR,
      inheritable: true,
    });
    setContextVariable(CJS_HOOK_MARKER_VAR, true);
  }
}

type Als = { getStore(): unknown; run(store: unknown, fn: () => void): void };

/** What LangChain's context holds for a run started outside any context, when process-wide. */
let processStore: unknown;
let getStorePatched = false;

/**
 * Makes `handler` and the configure hooks the context of every run that starts outside any
 * LangChain context. LangChain keeps both hooks and handler in its AsyncLocalStorage; a run
 * started where that storage is empty (the program's top level under Node 24, whose preloads'
 * contexts do not reach the program) would see neither, so the storage answers such runs with
 * a context built here once.
 */
function publishProcessWide(handler: GraphtraceCallbackHandler): void {
  const als = (globalThis as Record<symbol, unknown>)[ALS_KEY] as Als | undefined;
  if (!als || typeof als.getStore !== 'function' || typeof als.run !== 'function') return;
  als.run({}, () => {
    setContextVariable(AUTOLOG_CONTEXT_VAR, handler);
    registerConfigureHook({ contextVar: AUTOLOG_CONTEXT_VAR, inheritable: true });
    commonJsContext()?.registerConfigureHook({
      contextVar: AUTOLOG_CONTEXT_VAR,
      inheritable: true,
    });
    processStore = als.getStore();
  });
  if (getStorePatched) return;
  getStorePatched = true;
  const original = als.getStore;
  als.getStore = function getStore(this: unknown) {
    const store = original.call(this);
    return store === undefined ? processStore : store;
  };
}

/** @langchain/core's CommonJS build of the copy this package imports; null when it has none. */
function commonJsContext(): { registerConfigureHook: typeof registerConfigureHook } | null {
  try {
    return createRequire(import.meta.url)('@langchain/core/context');
  } catch {
    return null;
  }
}

/**
 * Turns on tracing of every LangChain/LangGraph invocation: each graph invocation becomes one
 * MLflow trace with its nodes, model calls, tools and retrievers as nested spans.
 * `autolog({ disable: true })` or the handle's `disable()` turns it off. Calling it again is
 * safe: LangChain never gets a second handler.
 */
export function autolog(tracker: Tracker, options?: Omit<AutologOptions, 'tracker'>): AutologHandle;
export function autolog(options?: AutologOptions): AutologHandle;
export function autolog(
  a?: Tracker | AutologOptions,
  b?: Omit<AutologOptions, 'tracker'>,
): AutologHandle {
  const options: AutologOptions = isTracker(a) ? { ...b, tracker: a } : (a ?? {});
  if (options.disable === true || options.enabled === false) {
    disableAutolog();
    return handle(null);
  }
  const tracker = options.tracker ?? getDefaultTracker();
  if (!tracker) {
    throw new GraphtraceError(
      'AUTOLOG_NO_TRACKER',
      'autolog needs a tracker: call autolog(tracker), or init({ store }) from @graphtrace/core first',
    );
  }
  const handlerOptions: GraphtraceCallbackHandlerOptions = {
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.maxTokenEvents !== undefined ? { maxTokenEvents: options.maxTokenEvents } : {}),
    ...(options.recordInternalChains !== undefined
      ? { recordInternalChains: options.recordInternalChains }
      : {}),
  };
  const scope = options.scope === 'process' ? 'process' : 'context';
  const optionsKey = JSON.stringify({ ...handlerOptions, scope });
  let s = state;
  if (!s || s.tracker !== tracker || s.optionsKey !== optionsKey || !s.handler.enabled) {
    disableAutolog();
    s = {
      handler: new GraphtraceCallbackHandler(tracker, handlerOptions),
      tracker,
      optionsKey,
      scope,
      probe: null,
      verdict: null,
    };
    state = s;
    if (options.checkReachability !== false) {
      const owner = s;
      owner.probe = startReachabilityProbe({
        handler: owner.handler,
        contextVar: AUTOLOG_CONTEXT_VAR,
        logger: tracker.logger,
        onVerdict: (verdict) => {
          owner.verdict = verdict;
        },
      });
    }
  }
  publish(s.handler);
  if (s.scope === 'process') publishProcessWide(s.handler);
  ensureActiveSpanResolver();
  return handle(s);
}

/**
 * Applies `observability.mlflow.autolog_enabled` (a loaded @graphtrace/config, or just its
 * `mlflow` section): on when true; when false it leaves autolog as it is.
 */
export function autologFromConfig(config: AutologConfigInput, tracker: Tracker): AutologHandle {
  const section: AutologConfigSection | undefined =
    'observability' in config ? config.observability?.mlflow : (config as AutologConfigSection);
  if (section?.autolog_enabled !== true) return handle(null);
  return autolog(tracker, {
    ...(section.user !== undefined ? { user: section.user } : {}),
    ...(section.record_internal_chains !== undefined
      ? { recordInternalChains: section.record_internal_chains }
      : {}),
  });
}
