import {
  type DeleteTracesInput,
  GraphtraceError,
  type Span,
  type TraceInfo,
  TraceTagKey,
  type WriteOptions,
} from '@graphtrace/core';
import { type TraceInfoJson, traceInfoFromJson, traceInfoToJson } from '../convert.js';
import { MlflowServerError } from '../errors.js';
import { encodeSpans, otelTraceId } from '../otlp-spans.js';
import { type ServerContext, V3 } from './context.js';
import { traceInfoJson } from './read-traces.js';

const OTLP_PATH = '/v1/traces';
/** Spans per OTLP request, and a byte budget per request. */
const OTLP_MAX_SPANS = 2000;
const OTLP_MAX_BYTES = 8_000_000;

/** StartTraceV3 on an existing trace that MLflow's row-level upsert could not apply. */
function isUpsertConflict(err: unknown): boolean {
  if (!(err instanceof MlflowServerError)) return false;
  if (err.status === 500 && err.serverErrorCode === 'INTERNAL_ERROR') return true;
  return err.status === 400 && /IntegrityError|UNIQUE constraint|duplicate key/i.test(err.message);
}

export async function startTrace(
  ctx: ServerContext,
  info: TraceInfo,
  options?: WriteOptions,
): Promise<TraceInfo> {
  const signal = options?.signal;
  otelTraceId(info.traceId);
  const json = traceInfoToJson(info);
  // Spans always live in the server's tracking store: readers look for them there by this tag.
  json.tags = { ...json.tags, [TraceTagKey.SPANS_LOCATION]: 'TRACKING_STORE' };
  let lastError: unknown;
  try {
    return await postTraceInfo(ctx, json, signal);
  } catch (err) {
    if (!isUpsertConflict(err)) throw err;
    lastError = err;
  }
  // MLflow's upsert keeps an existing trace's spans, but fails (500) when the existing row has
  // metadata, assessments or more than one tag that the new info lacks, and two writers of one
  // trace at once can collide on its rows (400). Read what is there and send the union — the
  // contract is "tags and metadata are merged" — a few times if writers keep colliding.
  for (let attempt = 0; attempt < 4; attempt++) {
    const existing = await traceInfoJson(ctx, info.traceId, signal);
    try {
      return await postTraceInfo(
        ctx,
        existing
          ? {
              ...json,
              tags: { ...existing.tags, ...json.tags },
              trace_metadata: { ...existing.trace_metadata, ...json.trace_metadata },
              ...(existing.assessments?.length ? { assessments: existing.assessments } : {}),
            }
          : json,
        signal,
      );
    } catch (err) {
      if (!isUpsertConflict(err)) throw err;
      lastError = err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 50 * (attempt + 1)));
    }
  }
  throw lastError;
}

async function postTraceInfo(
  ctx: ServerContext,
  json: TraceInfoJson,
  signal?: AbortSignal,
): Promise<TraceInfo> {
  const res = await ctx.http.json<{ trace: { trace_info: TraceInfoJson } }>({
    method: 'POST',
    path: `${V3}/traces`,
    json: { trace: { trace_info: json } },
    idempotent: true,
    signal,
  });
  return traceInfoFromJson(res.trace.trace_info);
}

export async function logSpans(
  ctx: ServerContext,
  experimentId: string,
  spans: readonly Span[],
  options?: WriteOptions,
): Promise<void> {
  if (spans.length === 0) return;
  for (const chunk of chunkSpans(spans)) {
    await ctx.http.request({
      method: 'POST',
      path: OTLP_PATH,
      body: encodeSpans(chunk),
      headers: {
        'content-type': 'application/x-protobuf',
        'x-mlflow-experiment-id': experimentId,
      },
      // Spans are stored by (trace id, span id): sending them again replaces them.
      idempotent: true,
      signal: options?.signal,
    });
  }
}

function chunkSpans(spans: readonly Span[]): Span[][] {
  const out: Span[][] = [];
  let cur: Span[] = [];
  let bytes = 0;
  for (const s of spans) {
    // A rough size: attribute JSON dominates a span's encoded size.
    const size = 200 + JSON.stringify(s.attributes).length;
    if (cur.length > 0 && (cur.length >= OTLP_MAX_SPANS || bytes + size > OTLP_MAX_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export async function setTraceTag(
  ctx: ServerContext,
  traceId: string,
  key: string,
  value: string,
): Promise<void> {
  try {
    await ctx.http.json({
      method: 'PATCH',
      path: `${V3}/traces/${encodeURIComponent(traceId)}/tags`,
      json: { key, value },
      idempotent: true,
    });
  } catch (err) {
    // MLflow answers a tag on a missing trace with a database constraint error (BAD_REQUEST).
    if (err instanceof GraphtraceError && err.code === 'INVALID_ARGUMENT') {
      if (!(await traceInfoJson(ctx, traceId)))
        throw new GraphtraceError('NOT_FOUND', `trace ${traceId} does not exist in ${ctx.uri}`);
    }
    throw err;
  }
}

export async function deleteTraces(ctx: ServerContext, input: DeleteTracesInput): Promise<number> {
  let body: Record<string, unknown>;
  if (input.traceIds) {
    if (input.traceIds.length === 0) return 0;
    body = { experiment_id: input.experimentId, request_ids: input.traceIds };
  } else if (input.maxTimestampMillis !== undefined) {
    body = {
      experiment_id: input.experimentId,
      max_timestamp_millis: input.maxTimestampMillis,
      ...(input.maxTraces !== undefined ? { max_traces: input.maxTraces } : {}),
    };
  } else {
    throw new GraphtraceError(
      'INVALID_ARGUMENT',
      'deleteTraces needs traceIds or maxTimestampMillis',
    );
  }
  const res = await ctx.http.json<{ traces_deleted?: number }>({
    method: 'POST',
    path: `${V3}/traces/delete-traces`,
    json: body,
    idempotent: true,
  });
  return res.traces_deleted ?? 0;
}
