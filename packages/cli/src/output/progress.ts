import cliProgress from 'cli-progress';
import type { TransferProgress } from '../transfer/copy.js';
import type { Output } from './output.js';

/**
 * A progress bar on stderr for long work, drawn only when stderr is a terminal (pipes and CI
 * logs get the summary alone). Labels are cut to keep the bar on one line.
 */
export function progressBar(out: Output, what: string): TransferProgress {
  if (!out.stderrIsTTY) return { start() {}, tick() {}, stop() {} };
  const c = out.errColor;
  const bar = new cliProgress.SingleBar(
    {
      stream: out.stderr as unknown as NodeJS.WritableStream,
      format: `${what} ${c.cyan('{bar}')} {percentage}% {value}/{total} {label}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let done = 0;
  return {
    start(total) {
      if (total === 0) return;
      started = true;
      bar.start(total, 0, { label: '' });
    },
    tick(label) {
      if (!started) return;
      done++;
      bar.update(done, { label: label.length > 40 ? `${label.slice(0, 39)}…` : label });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
