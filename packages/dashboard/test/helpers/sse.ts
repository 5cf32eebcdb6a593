/** One server-sent event as a browser's EventSource would dispatch it. */
export interface SseEvent {
  event: string;
  data: any;
  id: string | undefined;
}

/**
 * Reads a `text/event-stream` response event by event, with a deadline per wait, and keeps the
 * comments (heartbeats) and `retry:` it saw.
 */
export class SseReader {
  readonly comments: string[] = [];
  retry: number | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private readonly events: SseEvent[] = [];
  /** The read in flight: a wait that times out leaves it for the next one. */
  private reading: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  done = false;

  constructor(response: Response) {
    if (!response.body) throw new Error('the response has no body');
    this.reader = response.body.getReader();
  }

  /** The next event; rejects after `timeoutMs`, or when the stream ends first. */
  async next(timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.done) throw new Error('the stream ended before the next event');
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.pull(left))) throw new Error(`no event within ${timeoutMs} ms`);
    }
    return this.events.shift()!;
  }

  /** Events that arrive within `ms` (none expected, usually). */
  async drain(ms: number): Promise<SseEvent[]> {
    const deadline = Date.now() + ms;
    while (!this.done) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.pull(left))) break;
    }
    return this.events.splice(0);
  }

  /** Whether the stream ends within `ms`. */
  async ends(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.done) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.pull(left))) return false;
    }
    return true;
  }

  async cancel(): Promise<void> {
    this.done = true;
    await this.reader.cancel().catch(() => {});
  }

  /** Reads one chunk within `ms`: false when none came. A dropped connection ends the stream. */
  private async pull(ms: number): Promise<boolean> {
    this.reading ??= this.reader.read();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const result = await Promise.race([
      this.reading.catch(() => ({ done: true, value: undefined }) as const),
      timeout,
    ]);
    clearTimeout(timer);
    if (result === 'timeout') return false;
    this.reading = null;
    if (result.done) {
      this.done = true;
      return true;
    }
    this.buffer += this.decoder.decode(result.value, { stream: true });
    this.parse();
    return true;
  }

  private parse(): void {
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
      }
      if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')), id });
      end = this.buffer.indexOf('\n\n');
    }
  }
}
