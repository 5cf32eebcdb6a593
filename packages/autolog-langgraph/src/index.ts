export {
  AUTOLOG_CONTEXT_VAR,
  type AutologConfigInput,
  type AutologConfigSection,
  type AutologHandle,
  type AutologOptions,
  autolog,
  autologFromConfig,
} from './autolog.js';
export {
  GraphtraceCallbackHandler,
  type GraphtraceCallbackHandlerOptions,
  HANDLER_NAME,
  INTERNAL_CHAINS,
  type InternalChains,
  STEPS_METADATA_KEY,
} from './callback-handler.js';
export { currentRunSpan } from './parent-span.js';
export type { ReachabilityVerdict } from './reachability.js';
