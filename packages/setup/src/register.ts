/**
 * Zero-code tracing: `node --import @graphtrace/setup/register app.mjs` traces every LangGraph
 * invocation of an unchanged program, configured as `setup()` reads it (./graphtrace.yaml,
 * MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, …), and flushes before the process exits.
 */
import { consoleLogger, errorMessage } from '@graphtrace/core';
import { setup } from './setup.js';

// Loaded before the program, in its async context: autolog's hook reaches its graphs. A
// configuration problem is reported and the program runs untraced, never stopped.
setup({ config: { autolog_enabled: true } }).then(
  (graphtrace) => {
    process.once('beforeExit', () => {
      void graphtrace.close();
    });
  },
  (err: unknown) => {
    consoleLogger.error(`not tracing this program: ${errorMessage(err)}`);
  },
);
