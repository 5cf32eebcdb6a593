import type { CliIo } from '../io.js';
import { type Colors, colorsFor } from './colors.js';

/** Where a command writes: results on stdout, messages and progress on stderr. */
export class Output {
  /** Colours for stdout. */
  readonly color: Colors;
  /** Colours for stderr. */
  readonly errColor: Colors;

  constructor(
    private readonly io: CliIo,
    noColor: boolean,
  ) {
    this.color = colorsFor(io.stdout, io.env, noColor);
    this.errColor = colorsFor(io.stderr, io.env, noColor);
  }

  get stdoutIsTTY(): boolean {
    return this.io.stdout.isTTY === true;
  }

  get stderrIsTTY(): boolean {
    return this.io.stderr.isTTY === true;
  }

  /** Terminal width of stdout, 100 when unknown (a pipe). */
  get columns(): number {
    const c = this.io.stdout.columns;
    return typeof c === 'number' && c > 20 ? c : 100;
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Raw text on stdout, as given. */
  write(text: string): void {
    this.io.stdout.write(text);
  }

  /** A result as indented JSON: what `--json` prints. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Progress and remarks for a person: stderr, so stdout stays parseable. */
  info(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.errColor.yellow('graphtrace: warning:')} ${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${this.errColor.red('graphtrace: error:')} ${text}\n`);
  }

  /** The raw stderr stream, for progress bars. */
  get stderr(): CliIo['stderr'] {
    return this.io.stderr;
  }
}
