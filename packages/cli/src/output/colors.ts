import pc from 'picocolors';
import type { OutStream } from '../io.js';

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour only on a terminal, never with NO_COLOR (any non-empty value, per no-color.org) or
 * `--no-color`; FORCE_COLOR turns it on for pipes, as in most Node tools.
 */
export function colorEnabled(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  noColorFlag: boolean,
): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function colorsFor(
  stream: OutStream,
  env: Readonly<Record<string, string | undefined>>,
  noColorFlag: boolean,
): Colors {
  return pc.createColors(colorEnabled(stream, env, noColorFlag));
}
