import { randomBytes } from 'node:crypto';

/** Id factories; injectable so tests get reproducible ids. All ids are lowercase hex. */
export interface IdGenerator {
  /** 32 hex: the OpenTelemetry trace id (the MLflow trace id is `tr-` + this). */
  traceId(): string;
  /** 16 hex */
  spanId(): string;
  /** 32 hex (MLflow run_uuid) */
  runId(): string;
  /** 32 hex (an assessment id is `a-` + this) */
  assessmentId(): string;
}

// Random bytes are drawn in blocks and hex-encoded once per block: one syscall and one encoding
// per 256 ids instead of per id (a span id is made for every span, on the traced thread).
const POOL_BYTES = 4096;
let pool = '';
let offset = POOL_BYTES * 2;

function hex(bytes: number): string {
  const chars = bytes * 2;
  if (offset + chars > pool.length) {
    pool = randomBytes(POOL_BYTES).toString('hex');
    offset = 0;
  }
  const s = pool.slice(offset, offset + chars);
  offset += chars;
  return s;
}

const ZEROS = '0'.repeat(32);

function nonZeroHex(bytes: number): string {
  // OpenTelemetry treats all-zero ids as invalid.
  for (;;) {
    const s = hex(bytes);
    if (s !== ZEROS.slice(0, s.length)) return s;
  }
}

export const randomIds: IdGenerator = {
  traceId: () => nonZeroHex(16),
  spanId: () => nonZeroHex(8),
  runId: () => hex(16),
  assessmentId: () => hex(16),
};

/** Deterministic ids for tests: counters rendered as hex, distinct per kind. */
export function sequentialIds(): IdGenerator {
  let n = 0;
  const next = (prefix: string, width: number) =>
    prefix + (++n).toString(16).padStart(width - prefix.length, '0');
  return {
    traceId: () => next('a', 32),
    spanId: () => next('b', 16),
    runId: () => next('c', 32),
    assessmentId: () => next('d', 32),
  };
}
