import { resolve } from 'node:path';
import { type AutologHandle, autolog } from '@graphtrace/autolog-langgraph';
import { openStore } from '@graphtrace/cli';
import type { GraphtraceConfig } from '@graphtrace/config';
import {
  consoleLogger,
  createTracker,
  type Logger,
  resilientStore,
  type Tracker,
  type TrackingStore,
} from '@graphtrace/core';

export interface Wired {
  tracker: Tracker;
  store: TrackingStore;
  autolog: AutologHandle | null;
  close(): Promise<void>;
}

/**
 * A tracker from an effective graphtrace configuration: the store its tracking URI names (a
 * server is wrapped with the SQLite fallback and a durable spool), the tracker options, and
 * autolog when `autolog_enabled` is set.
 */
export async function wireFromConfig(
  config: GraphtraceConfig,
  options: { cwd?: string; logger?: Logger } = {},
): Promise<Wired> {
  const mlflow = config.observability.mlflow;
  const cwd = options.cwd ?? process.cwd();
  const logger = options.logger ?? consoleLogger;
  const primary = await openStore(mlflow.tracking_uri, { cwd, config: mlflow });
  const opened: TrackingStore[] = [primary];
  let store = primary;
  if (/^https?:/.test(mlflow.tracking_uri) && mlflow.fallback.enabled) {
    const spool = await openStore(`sqlite:///${resolve(cwd, '.graphtrace', 'spool.db')}`, { cwd });
    opened.push(spool);
    store = resilientStore({
      primary,
      primaryUri: mlflow.tracking_uri,
      fallback: async () => {
        const fallback = await openStore(mlflow.fallback.uri, { cwd, config: mlflow });
        opened.push(fallback);
        return fallback;
      },
      fallbackUri: mlflow.fallback.uri,
      precheckTimeoutMs: mlflow.fallback.precheck_timeout * 1000,
      spool,
      logger,
    });
  }
  const tracker = createTracker({
    store,
    logger,
    enabled: mlflow.enabled,
    ...(mlflow.experiment_id
      ? { experimentId: mlflow.experiment_id }
      : { experimentName: mlflow.experiment_name }),
    logPrompts: mlflow.log_prompts,
    redact: mlflow.redact,
    sampling: mlflow.sampling,
    maxPayloadChars: mlflow.max_payload_chars,
    flushTimeoutMs: mlflow.flush_timeout * 1000,
    pipeline: { writeTimeoutMs: mlflow.flush_timeout * 1000 },
    runTags: mlflow.tags,
    ...(mlflow.session ? { session: mlflow.session } : {}),
    ...(mlflow.user ? { user: mlflow.user } : {}),
  });
  const handle = mlflow.autolog_enabled
    ? autolog({ tracker, ...(mlflow.user ? { user: mlflow.user } : {}) })
    : null;
  return {
    tracker,
    store,
    autolog: handle,
    async close() {
      handle?.disable();
      await tracker.shutdown();
      // A resilient store closes what it composes, and says what is left in its spool.
      if (store !== primary) await store.close();
      else for (const s of opened.reverse()) await s.close();
    },
  };
}
