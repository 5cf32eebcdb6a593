/**
 * The trace writer thread (see trace-writer.ts): its own connection to the store's file, running
 * the same `logSpans`/`startTrace` writes as the main thread would, so the span JSON encoding and
 * the SQLite work happen off the traced program's thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { randomIds } from '@graphtrace/core';
import { fileError } from '../schema/file-errors.js';
import { openConnection } from './connection.js';
import type { StoreContext } from './context.js';
import {
  type TraceWriteMessage,
  type TraceWriteReply,
  type TraceWriterData,
  toWireError,
} from './trace-writer-protocol.js';
import {
  encodeSpanRows,
  logSpans,
  SPAN_CHUNK,
  startTrace,
  startTraceWrite,
  writeSpanChunk,
} from './write-traces.js';

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

/** A message's writes, to run in a write transaction; throws for a request that is refused. */
function writesOf(m: TraceWriteMessage): () => unknown {
  switch (m.op) {
    case 'logSpans': {
      // Encoded before the transaction, as logSpans does: no lock is held meanwhile.
      const rows = encodeSpanRows(m.spans, conn.layout);
      return () => writeSpanChunk(ctx, m.experimentId, rows);
    }
    case 'startTrace':
      return startTraceWrite(ctx, m.info);
    case 'close':
      throw new Error('close is never grouped');
  }
}

/** One message on its own, as the main thread would run it. */
async function handle(m: TraceWriteMessage): Promise<unknown> {
  switch (m.op) {
    case 'logSpans':
      if (m.spans.length <= SPAN_CHUNK) return conn.write(writesOf(m));
      return logSpans(ctx, m.experimentId, m.spans);
    case 'startTrace':
      return startTrace(ctx, m.info);
    case 'close':
      conn.close();
      return null;
  }
}

/** Spans a message writes, as its share of a group's SPAN_CHUNK bound (a trace info counts 1). */
const weight = (m: TraceWriteMessage): number =>
  m.op === 'logSpans' ? m.spans.length : m.op === 'startTrace' ? 1 : Number.POSITIVE_INFINITY;

interface Outcome {
  result?: unknown;
  error?: unknown;
}

/**
 * Several queued messages in one write transaction, each in its own savepoint: one commit
 * instead of one per call (a commit writes every page the call touched to the WAL, and the
 * trace_info, tag and metadata pages are shared by consecutive traces). A message that fails
 * rolls back alone and gets its own error; the rows are the same as written one by one.
 */
async function handleGroup(group: readonly TraceWriteMessage[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = group.map(() => ({}));
  const writes = group.map((m, i) => {
    try {
      return conn.db.transaction(writesOf(m));
    } catch (err) {
      outcomes[i]!.error = err;
      return null;
    }
  });
  try {
    await conn.write(() => {
      for (const [i, write] of writes.entries()) {
        if (!write) continue;
        const o = outcomes[i]!;
        try {
          o.result = write(); // nested: a savepoint
          o.error = undefined;
        } catch (err) {
          // An error SQLite answered by rolling the whole transaction back ends the group.
          if (!conn.db.inTransaction) throw err;
          o.error = fileError(err, data.path);
        }
      }
    });
  } catch (err) {
    const e = fileError(err, data.path);
    for (const [i, o] of outcomes.entries()) if (writes[i]) o.error = e;
  }
  return outcomes;
}

function reply(id: number, o: Outcome): void {
  const r: TraceWriteReply =
    o.error === undefined ? { id, result: o.result } : { id, error: toWireError(o.error) };
  try {
    port.postMessage(r);
  } catch (err) {
    // Never leave a caller waiting (nor break the queue) on a reply that does not clone.
    port.postMessage({ id, error: toWireError(err) } satisfies TraceWriteReply);
  }
}

// One request at a time, in order: a write waiting out a busy lock must not let a later one
// overtake it (the span pipeline relies on spans landing before their trace info). Messages that
// arrived meanwhile are written together (see handleGroup), up to SPAN_CHUNK spans.
const pending: TraceWriteMessage[] = [];
let draining = false;

async function drain(): Promise<void> {
  while (pending.length > 0) {
    let n = 1;
    let spans = weight(pending[0]!);
    while (n < pending.length && spans + weight(pending[n]!) <= SPAN_CHUNK)
      spans += weight(pending[n++]!);
    const group = pending.splice(0, n);
    if (group.length === 1) {
      const m = group[0]!;
      try {
        reply(m.id, { result: await handle(m) });
      } catch (err) {
        reply(m.id, { error: err });
      }
    } else {
      const outcomes = await handleGroup(group);
      for (const [i, m] of group.entries()) reply(m.id, outcomes[i]!);
    }
  }
  draining = false;
}

port.on('message', (m: TraceWriteMessage) => {
  pending.push(m);
  if (draining) return;
  draining = true;
  // After the messages already delivered in this turn, so that they can form one group.
  setImmediate(() => void drain());
});
