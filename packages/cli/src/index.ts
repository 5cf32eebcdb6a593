// The package is the `graphtrace` command; programs embed it through `run` or `createProgram`.
// Wiring a tracker from configuration is @graphtrace/setup's job.

export type { App } from './app.js';
export { CliError, type CliErrorCode, ExitCode } from './errors.js';
export { type CliIo, type OutStream, processIo } from './io.js';
export { type CreateProgramOptions, createProgram, run } from './program.js';
