import { Worker } from 'node:worker_threads';
import { GraphtraceError, type Span, type TraceInfo } from '@graphtrace/core';
import { spanFields } from '@graphtrace/core/store-kit';
import type { StoreContext } from './context.js';
import {
  fromWireError,
  type TraceWriteReply,
  type TraceWriteRequest,
  type TraceWriterData,
} from './trace-writer-protocol.js';
import { logSpans, startTrace } from './write-traces.js';

/**
 * The compiled worker module. From src/store (vitest runs sources; the build runs first) and
 * from dist/store alike, this names the package's dist/store.
 */
const WORKER_URL = new URL('../../dist/store/trace-writer-worker.js', import.meta.url);

const noop = () => {};

function isDataCloneError(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'DataCloneError';
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
}

/** One worker thread and the requests it has not answered yet. */
class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private stopped = false;
  private readonly uri: string;

  constructor(
    data: TraceWriterData,
    private readonly onStop: (thread: WriterThread) => void,
  ) {
    this.uri = data.uri;
    this.worker = new Worker(WORKER_URL, { workerData: data });
    this.worker.unref(); // an idle writer never keeps the process alive
    this.worker.on('message', (reply: TraceWriteReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error) p.reject(fromWireError(reply.error));
      else p.resolve(reply.result);
    });
    this.worker.on('error', (err) => this.stop(`it failed: ${err.message}`));
    this.worker.on('exit', (code) => this.stop(`it exited with code ${code}`));
  }

  /** Posts at once (throws DataCloneError synchronously, with nothing sent). */
  request(request: TraceWriteRequest): Promise<unknown> {
    const id = this.next++;
    this.worker.postMessage({ ...request, id });
    this.worker.ref(); // keep the process alive until the answer arrives
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Closes the thread's connection after the requests before it, then ends the thread. */
  async close(): Promise<void> {
    if (!this.stopped) await this.request({ op: 'close' }).catch(noop);
    await this.worker.terminate();
    this.stop('the store was closed'); // nothing is left normally; never leave a caller hanging
  }

  private stop(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    const err = new GraphtraceError(
      'STORE_UNAVAILABLE',
      `the trace writer thread of ${this.uri} stopped (${why}) before confirming this write; the next trace write starts a new thread`,
    );
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.onStop(this);
  }
}

/**
 * Writes traces (`logSpans`, `startTrace`) on a worker thread with its own connection to the
 * store's file: better-sqlite3 and the span JSON encoding block the thread they run on, and that
 * would be the traced program's. The thread starts on the first write, answers in call order,
 * and is replaced by a fresh one on the next write if it dies.
 */
export class WorkerTraceWriter {
  private thread: WriterThread | null = null;
  /** Set while calls queue behind a write done on this thread (see `send`). */
  private held: Promise<void> | null = null;
  /** Settles once the latest request has been answered (replies come in order). */
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly data: TraceWriterData,
    /** The main connection, for calls whose values cannot be cloned to the thread. */
    private readonly inline: StoreContext,
  ) {}

  startTrace(info: TraceInfo): Promise<TraceInfo> {
    return this.submit({ op: 'startTrace', info }, () => startTrace(this.inline, info));
  }

  logSpans(experimentId: string, spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    // One message for the whole call: the clone keeps values shared between spans shared.
    // The fields alone (a LiveSpan's trace must not be cloned), not copied: the clone copies.
    // Encoding stays on the thread: it costs more than this clone (see the protocol).
    return this.submit({ op: 'logSpans', experimentId, spans: spans.map(spanFields) }, () =>
      logSpans(this.inline, experimentId, spans),
    );
  }

  /** Waits for every write already called, then ends the thread. */
  async close(): Promise<void> {
    while (this.held) await this.held;
    await this.last;
    const thread = this.thread;
    this.thread = null;
    await thread?.close();
  }

  private submit<T>(request: TraceWriteRequest, inline: () => Promise<T>): Promise<T> {
    if (!this.held) return this.send(request, inline);
    const result = this.held.then(() => this.send(request, inline));
    this.hold(result);
    return result;
  }

  private send<T>(request: TraceWriteRequest, inline: () => Promise<T>): Promise<T> {
    let reply: Promise<T>;
    try {
      reply = this.current().request(request) as Promise<T>;
    } catch (err) {
      if (!isDataCloneError(err)) return Promise.reject(err);
      // A value the thread cannot receive (a function, say): write this call here instead,
      // after the requests before it, and hold later calls until it is done, so order holds.
      reply = this.last.then(inline);
      if (!this.held) this.hold(reply);
    }
    this.last = reply.then(noop, noop);
    return reply;
  }

  private hold(until: Promise<unknown>): void {
    const end = until.then(noop, noop);
    this.held = end;
    void end.then(() => {
      if (this.held === end) this.held = null;
    });
  }

  private current(): WriterThread {
    if (this.thread) return this.thread;
    try {
      this.thread = new WriterThread(this.data, (stopped) => {
        if (this.thread === stopped) this.thread = null;
      });
    } catch (err) {
      throw new GraphtraceError(
        'STORE_UNAVAILABLE',
        `the trace writer thread of ${this.data.uri} could not start: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return this.thread;
  }
}
