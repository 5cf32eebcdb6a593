import {
  GraphtraceError,
  type GraphtraceErrorCode,
  type Span,
  type TraceInfo,
} from '@graphtrace/core';

/** What the trace writer thread needs to open the store's file as the main thread opened it. */
export interface TraceWriterData {
  /** Absolute, so the thread opens the very file the main thread opened. */
  path: string;
  uri: string;
  busyTimeoutMs: number;
  maxBusyWaitMs: number;
  synchronous?: 'normal' | 'full';
  defaultArtifactRoot?: string;
  /** The main thread's artifact root, so both threads agree on artifact locations. */
  artifactRoot: string;
}

/**
 * One store call per message; the thread answers them in order (calls queued together may be
 * written in one transaction, each in its own savepoint).
 */
export type TraceWriteRequest =
  /**
   * The spans themselves, encoded by the thread: a structured clone of their values (shared
   * between spans, hence cloned once) costs the calling thread less than encoding them there.
   */
  | { op: 'logSpans'; experimentId: string; spans: Span[] }
  | { op: 'startTrace'; info: TraceInfo }
  /** Closes the thread's connection (answered after every earlier request). */
  | { op: 'close' };

export type TraceWriteMessage = TraceWriteRequest & { id: number };

export interface TraceWriteReply {
  id: number;
  result?: unknown;
  error?: WireError;
}

/** An error as it crosses threads: class identity is lost, so carry what callers test. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** It was a GraphtraceError, so `code` is one of core's codes. */
  graphtrace?: true;
}

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  if (err instanceof GraphtraceError)
    return { name: err.name, message: err.message, code: err.code, graphtrace: true };
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string'
    ? { name: err.name, message: err.message, code }
    : { name: err.name, message: err.message };
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
};

/**
 * The error as the calling thread would have seen it inline: a GraphtraceError keeps its code,
 * another error its name and code (SQLite's, say), a built-in one its class.
 */
export function fromWireError(e: WireError): Error {
  const named = (err: Error & { code?: string }) => {
    err.name = e.name;
    if (e.code !== undefined) err.code = e.code;
    return err;
  };
  if (e.graphtrace && e.code !== undefined)
    return named(new GraphtraceError(e.code as GraphtraceErrorCode, e.message));
  const Builtin = e.code === undefined ? BUILTIN_ERRORS[e.name] : undefined;
  return Builtin ? new Builtin(e.message) : named(new Error(e.message));
}
