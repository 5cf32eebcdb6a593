/**
 * The trace writer thread (see trace-writer.ts): its own connection to the store's file, running
 * the same `logSpans`/`startTrace` as the main thread would, so the span JSON encoding and the
 * SQLite work happen off the traced program's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { randomIds } from '@graphtrace/core';
import { openConnection } from './connection.js';
import type { StoreContext } from './context.js';
import {
  type TraceWriteMessage,
  type TraceWriteReply,
  type TraceWriterData,
  toWireError,
} from './trace-writer-protocol.js';
import { logSpans, startTrace } from './write-traces.js';

const port = parentPort!;
const data = workerData as TraceWriterData;

// Messages that arrive meanwhile wait in the port's queue (it starts with the listener below).
// A failure to open is uncaught on purpose: the main thread sees the thread stop, says why,
// and starts a new one on the next write.
const conn = await openConnection({
  path: data.path,
  uri: data.uri,
  readOnly: false,
  busyTimeoutMs: data.busyTimeoutMs,
  maxBusyWaitMs: data.maxBusyWaitMs,
  ...(data.synchronous ? { synchronous: data.synchronous } : {}),
  ...(data.defaultArtifactRoot !== undefined
    ? { defaultArtifactRoot: data.defaultArtifactRoot }
    : {}),
  now: Date.now,
});
const ctx: StoreContext = {
  conn,
  uri: data.uri,
  now: Date.now,
  ids: randomIds,
  artifactRoot: data.artifactRoot,
};

async function handle(m: TraceWriteMessage): Promise<unknown> {
  switch (m.op) {
    case 'logSpans':
      return logSpans(ctx, m.experimentId, m.spans);
    case 'startTrace':
      return startTrace(ctx, m.info);
    case 'close':
      conn.close();
      return null;
  }
}

// One request at a time: a write waiting out a busy lock must not let a later one overtake it
// (the span pipeline relies on spans landing before their trace info).
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: TraceWriteMessage) => {
  queue = queue.then(async () => {
    let reply: TraceWriteReply;
    try {
      reply = { id: m.id, result: await handle(m) };
    } catch (err) {
      reply = { id: m.id, error: toWireError(err) };
    }
    try {
      port.postMessage(reply);
    } catch (err) {
      // Never leave a caller waiting (nor break the queue) on a reply that does not clone.
      port.postMessage({ id: m.id, error: toWireError(err) } satisfies TraceWriteReply);
    }
  });
});
