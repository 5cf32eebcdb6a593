import { errorMessage, GraphtraceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEFAULT_EXPERIMENT_ID } from '../model/experiment.js';
import type { Span } from '../model/span.js';
import type { TraceInfo } from '../model/trace.js';
import type { TraceWriter, WriteOptions } from '../store/trace-writer.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { DEFAULT_PRECHECK_TIMEOUT_MS } from './fallback-store.js';
import { forwardReachable } from './forward-calls.js';
import { countTraces, isUnavailable, type SyncSpoolResult, syncSpool } from './sync-spool.js';

export interface SpoolWriterOptions {
  /** Where trace writes go while it answers; the spool drains into it. */
  primary: TrackingStore;
  /** Its URI for messages; default `primary.uri`. */
  primaryUri?: string;
  /** A durable store for the traces the primary could not take (`.graphtrace/spool.db`). */
  spool: TrackingStore;
  /** The name of a primary experiment, so spooled traces land in a same-named spool experiment. */
  experimentName(experimentId: string): string | undefined;
  logger: Logger;
  /** How often the spool tries to drain while the primary is away. Default 5000 ms. */
  drainIntervalMs?: number;
  /** Traces moved per drain round, so a drain never monopolises the process. Default 500. */
  drainBatch?: number;
  /** Budget of a drain's reachability check (at most 2000 ms). Default 3000 ms. */
  precheckTimeoutMs?: number;
}

export interface SpoolStatus {
  /** True while trace writes go to the spool. */
  spooling: boolean;
  /** Traces written to the spool so far (batches of spans and infos count once per trace). */
  spooledWrites: number;
  /** Traces moved from the spool to the primary so far. */
  drainedTraces: number;
}

/** The primary's write port, with the traces it cannot take mid-run kept in a spool. */
export interface SpoolWriter extends TraceWriter {
  status(): SpoolStatus;
  /** Tries now to move spooled traces to the primary (no-op when it does not answer). */
  drainSpool(): Promise<SyncSpoolResult | null>;
  /** Stops draining and says what the spool still holds. The stores stay open: they are the caller's. */
  close(): Promise<void>;
}

export const NOT_SPOOLED =
  'runs, params and metrics are not spooled (only traces are): retry when the server is back';

/**
 * Trace writes the primary fails (after its own retries) go to the spool instead, with one
 * warning; while the primary is away the spool keeps taking them, and a background timer
 * drains the spool (bounded rounds) once the primary answers. Errors that say the request is
 * wrong (not that the primary is away) are the caller's, as they are.
 */
export function spoolWriter(o: SpoolWriterOptions): SpoolWriter {
  return new SpoolWriterImpl(o);
}

class SpoolWriterImpl implements SpoolWriter {
  private spooling = false;
  private spoolInFlight = 0;
  private spooledWrites = 0;
  private drainedTraces = 0;
  private drainTimer: NodeJS.Timeout | null = null;
  private draining: Promise<SyncSpoolResult | null> | null = null;
  private closed = false;
  /** Primary experiment id → spool experiment id. */
  private readonly spoolIds = new Map<string, string>();
  private readonly primaryUri: string;
  declare readonly reachable?: TraceWriter['reachable'];

  constructor(private readonly o: SpoolWriterOptions) {
    this.primaryUri = o.primaryUri ?? o.primary.uri;
    Object.assign(this, forwardReachable(o.primary));
  }

  get uri(): string {
    return this.o.primary.uri;
  }

  get capabilities() {
    return this.o.primary.capabilities;
  }

  status(): SpoolStatus {
    return {
      spooling: this.spooling,
      spooledWrites: this.spooledWrites,
      drainedTraces: this.drainedTraces,
    };
  }

  // The caller's signal stops a wait on the primary (the write then goes to the spool); the
  // spool is local and always gets the write.
  async startTrace(info: TraceInfo, options?: WriteOptions): Promise<TraceInfo> {
    await this.write(
      () => this.o.primary.startTrace(info, options),
      (exp) => this.o.spool.startTrace({ ...info, experimentId: exp }),
      info.experimentId,
    );
    return info;
  }

  async logSpans(
    experimentId: string,
    spans: readonly Span[],
    options?: WriteOptions,
  ): Promise<void> {
    if (spans.length === 0) return;
    await this.write(
      () => this.o.primary.logSpans(experimentId, spans, options),
      (exp) => this.o.spool.logSpans(exp, spans),
      experimentId,
    );
  }

  private async write(
    direct: () => Promise<unknown>,
    spooled: (spoolExperimentId: string) => Promise<unknown>,
    experimentId: string,
  ): Promise<void> {
    if (!this.spooling) {
      try {
        await direct();
        return;
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        this.enterOutage(err);
      }
    }
    this.spoolInFlight++;
    try {
      await spooled(await this.spoolExperiment(experimentId));
      this.spooledWrites++;
    } catch (err) {
      throw new GraphtraceError(
        'STORE_UNAVAILABLE',
        `MLflow server ${this.primaryUri} is away and the spool ${this.o.spool.uri} refused the traces too: ${errorMessage(err)}`,
        { cause: err },
      );
    } finally {
      this.spoolInFlight--;
    }
  }

  private async spoolExperiment(primaryId: string): Promise<string> {
    let id = this.spoolIds.get(primaryId);
    if (id === undefined) {
      const name = this.o.experimentName(primaryId) ?? `graphtrace-spool-experiment-${primaryId}`;
      id = (await this.o.spool.getOrCreateExperiment(name)).experimentId;
      this.spoolIds.set(primaryId, id);
    }
    return id;
  }

  private enterOutage(err: unknown): void {
    if (this.spooling) return;
    this.spooling = true;
    const spoolUri = this.o.spool.uri;
    this.o.logger.warn(
      `MLflow server ${this.primaryUri} stopped answering (${errorMessage(err)}). Traces now go to ` +
        `the spool ${spoolUri} and are sent automatically when the server answers again ` +
        `(or run \`graphtrace sync --from ${spoolUri} --to ${this.primaryUri}\`). Meanwhile ${NOT_SPOOLED}.`,
    );
    this.scheduleDrain(this.o.drainIntervalMs ?? 5000);
  }

  private scheduleDrain(delayMs: number): void {
    if (this.drainTimer || this.closed) return;
    const again = () => {
      if (this.spooling) this.scheduleDrain(this.o.drainIntervalMs ?? 5000);
    };
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null;
      void this.drainSpool().then(again, (err: unknown) => {
        this.o.logger.debug(`spool drain failed: ${errorMessage(err)}`);
        again();
      });
    }, delayMs);
    // The drain never keeps a finished program alive; `graphtrace sync` covers what is left.
    this.drainTimer.unref();
  }

  private async primaryAnswers(): Promise<boolean> {
    const { primary } = this.o;
    if (primary.reachable) {
      const budget = Math.min(this.o.precheckTimeoutMs ?? DEFAULT_PRECHECK_TIMEOUT_MS, 2000);
      return (await primary.reachable(budget)).ok;
    }
    // A store without a server to ask: a cheap read says whether it answers.
    try {
      await this.o.primary.getExperiment(DEFAULT_EXPERIMENT_ID);
      return true;
    } catch {
      return false;
    }
  }

  drainSpool(): Promise<SyncSpoolResult | null> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<SyncSpoolResult | null> {
    if (this.closed || !(await this.primaryAnswers())) return null;
    const spool = this.o.spool;
    const result = await syncSpool({
      from: spool,
      to: this.o.primary,
      maxTraces: this.o.drainBatch ?? 500,
      logger: this.o.logger,
    });
    this.drainedTraces += result.traces;
    if (result.traces > 0)
      this.o.logger.info(
        `sent ${result.traces} spooled trace(s) from ${spool.uri} to ${this.primaryUri}`,
      );
    if (result.failed.length > 0) return result; // still away: the timer tries again
    if (this.spooling) {
      // New writes go to the primary at once; the backlog follows in the background. A trace
      // split between the two ends whole: copies never overwrite a finished info.
      this.spooling = false;
      this.o.logger.info(
        `MLflow server ${this.primaryUri} answers again: traces go to it directly`,
      );
    }
    // Until a round finds the spool empty with no spool write under way.
    if (result.remaining > 0 || result.traces > 0 || this.spoolInFlight > 0) this.scheduleDrain(0);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    await this.draining?.catch(() => undefined);
    if (this.spooledWrites === 0 && !this.spooling) return;
    const spool = this.o.spool;
    const left = await countTraces(spool).catch(() => null);
    if (left !== 0) {
      this.o.logger.warn(
        `${left ?? 'some'} trace(s) are still in the spool ${spool.uri}: run \`graphtrace sync --from ${spool.uri} --to ${this.primaryUri}\` when the server is back`,
      );
    }
  }
}
