import { GraphtraceError, type SdkTrace, type SdkTraceInfo, toSdkTrace } from '@graphtrace/core';
import { resolveConfig } from './setup.js';
import { openStore } from './store-registry.js';

export interface MlflowClientOptions {
  /** Default: the configuration's (MLFLOW_TRACKING_URI, ./graphtrace.yaml, sqlite:///mlflow.db). */
  trackingUri?: string;
  /** Relative SQLite paths resolve against it. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * MLflow's TypeScript SDK client, for what makes sense over any graphtrace store: read traces
 * back in the SDK's shape, create experiments. It opens the store its tracking URI names.
 */
export class MlflowClient {
  readonly trackingUri: string;
  private readonly store;

  constructor(options: MlflowClientOptions = {}) {
    const cwd = options.cwd ?? process.cwd();
    const config = resolveConfig({
      cwd,
      ...(options.trackingUri ? { config: { tracking_uri: options.trackingUri } } : {}),
    });
    this.trackingUri = config.tracking_uri;
    this.store = openStore(config.tracking_uri, { cwd, config });
  }

  /** The trace as `{ info, data: { spans } }`; NOT_FOUND when there is none. */
  async getTrace(traceId: string): Promise<SdkTrace> {
    const trace = await this.store.getTrace(traceId);
    if (!trace) {
      throw new GraphtraceError('NOT_FOUND', `no trace ${traceId} at ${this.trackingUri}`);
    }
    return toSdkTrace(trace);
  }

  async getTraceInfo(traceId: string): Promise<SdkTraceInfo> {
    return (await this.getTrace(traceId)).info;
  }

  /** Creates the experiment and returns its id; ALREADY_EXISTS when the name is taken. */
  async createExperiment(name: string): Promise<string> {
    if (await this.store.getExperimentByName(name)) {
      throw new GraphtraceError('ALREADY_EXISTS', `experiment '${name}' already exists`);
    }
    return (await this.store.getOrCreateExperiment(name)).experimentId;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
