import { errorMessage, type Logger } from '@graphtrace/core';

/**
 * Callback failures, reported through the tracker's logger: the first of each kind as a
 * warning, later ones at debug level, so a failure on every callback does not flood the log.
 */
export class FailureReporter {
  private readonly reported = new Set<string>();
  private failures = 0;

  constructor(private readonly logger: Logger) {}

  /** Callback failures so far (for tests and diagnostics). */
  get count(): number {
    return this.failures;
  }

  /** A callback threw: reported under the callback's name. */
  fail(method: string, err: unknown): void {
    this.report(method, `autolog: ${method} failed: ${errorMessage(err)}`);
  }

  report(kind: string, message: string): void {
    this.failures++;
    try {
      if (this.reported.has(kind)) this.logger.debug(message);
      else {
        this.reported.add(kind);
        this.logger.warn(message);
      }
    } catch {
      // A logger that throws must not break the traced program either.
    }
  }
}
