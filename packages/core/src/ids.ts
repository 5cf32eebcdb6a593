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

// Random bytes are drawn in blocks: one syscall per 256 ids instead of one per id.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

function hex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

function nonZeroHex(bytes: number): string {
  // OpenTelemetry treats all-zero ids as invalid.
  for (;;) {
    const s = hex(bytes);
    if (!/^0+$/.test(s)) return s;
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
