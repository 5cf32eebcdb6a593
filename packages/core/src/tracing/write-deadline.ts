import type { WriteOptions } from '../store/tracking-store.js';

/**
 * The options of one batch's writes: a signal that aborts after `ms` or when the pipeline
 * gives up (a flush out of budget). Made only when a store reads it: local stores never do,
 * and an AbortSignal with a timer costs microseconds a hot path should not pay.
 */
export class WriteDeadline implements WriteOptions {
  private controller: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly onGiveUp = () => this.controller?.abort(this.giveUp.reason);

  constructor(
    private readonly ms: number,
    private readonly giveUp: AbortSignal,
  ) {}

  get signal(): AbortSignal {
    if (this.controller) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    if (this.giveUp.aborted) {
      controller.abort(this.giveUp.reason);
    } else {
      this.giveUp.addEventListener('abort', this.onGiveUp, { once: true });
      this.timer = setTimeout(
        () => controller.abort(new Error(`no answer within the write timeout of ${this.ms} ms`)),
        this.ms,
      );
      this.timer.unref();
    }
    return controller.signal;
  }

  /** The batch is over: its timer and listener go. */
  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.giveUp.removeEventListener('abort', this.onGiveUp);
  }
}
