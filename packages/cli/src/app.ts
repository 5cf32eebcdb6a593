import type { Command } from 'commander';
import type { CliContext } from './context.js';

/**
 * What every command's action gets: the context of this invocation. Its own file, so the
 * commands and `program.ts`, which registers them, do not import each other.
 */
export interface App {
  context(command: Command): CliContext;
}
