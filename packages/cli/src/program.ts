import { Command, CommanderError, Option } from 'commander';
import type { App } from './app.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDbCommand } from './commands/db.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExperimentsCommand } from './commands/experiments.js';
import { registerImportCommand } from './commands/import.js';
import { registerInitCommand } from './commands/init.js';
import { registerRunsCommand } from './commands/runs.js';
import { parseSeconds } from './commands/shared.js';
import { registerSyncCommand } from './commands/sync.js';
import { registerTracesCommand } from './commands/traces.js';
import { registerUiCommand } from './commands/ui.js';
import { CliContext, DEFAULT_TIMEOUT_S, type GlobalOptions } from './context.js';
import { ExitCode, toCliError } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { Output } from './output/output.js';
import { cliVersion } from './version.js';

export interface CreateProgramOptions {
  /** Streams, environment and working directory; the process's by default. */
  io?: CliIo;
}

function oneLine(text: string): string {
  return text
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/**
 * Builds the `graphtrace` command tree. Parsing errors are thrown as CommanderError (see
 * `run`), never exit the process, so the program can be embedded and tested.
 */
export function createProgram(options: CreateProgramOptions = {}): Command {
  const io = options.io ?? processIo();
  let context: CliContext | undefined;
  const app: App = {
    context(command) {
      context ??= new CliContext(io, command.optsWithGlobals<GlobalOptions>());
      return context;
    },
  };

  const program = new Command('graphtrace');
  program
    .description(
      'MLflow-compatible tracking and tracing for LangGraph.js agents: inspect runs and traces, import and sync stores, check the set-up.',
    )
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addOption(
      new Option(
        '--tracking-uri <uri>',
        'store to use: sqlite:///path.db, http(s)://host:port or memory:',
      ),
    )
    .addOption(
      new Option(
        '--config <file>',
        'config file (default: $GRAPHTRACE_CONFIG or ./graphtrace.yaml)',
      ),
    )
    .addOption(
      new Option(
        '--timeout <seconds>',
        'longest wait for an MLflow server per request, retries included',
      )
        .argParser(parseSeconds)
        .default(DEFAULT_TIMEOUT_S),
    )
    .option('--debug', 'print stack traces of errors')
    .option('--no-color', 'never colour the output (also: NO_COLOR=1)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s) =>
        new Output(io, program.opts<GlobalOptions>().color === false).error(oneLine(s)),
    })
    .addHelpText(
      'after',
      `
Where the tracking URI comes from: --tracking-uri, then the config file (its values
overridden by MLFLOW_TRACKING_URI and the other variables), then sqlite:///mlflow.db.

Examples:
  $ graphtrace init                              write a commented graphtrace.yaml
  $ graphtrace traces ls --limit 10              the latest traces
  $ graphtrace traces show tr-0123…              a trace's span tree with timings
  $ graphtrace runs ls --filter "metrics.accuracy > 0.9" --json
  $ graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db
  $ graphtrace doctor                            check the tracking set-up
  $ graphtrace db upgrade                        move mlflow.db to the newest MLflow's schema

Exit codes: 0 ok, 1 failure, 2 usage or configuration error.`,
    );

  registerInitCommand(program, app);
  registerConfigCommand(program, app);
  registerDoctorCommand(program, app);
  registerExperimentsCommand(program, app);
  registerRunsCommand(program, app);
  registerTracesCommand(program, app);
  registerImportCommand(program, app);
  registerSyncCommand(program, app);
  registerUiCommand(program, app);
  registerDbCommand(program, app);
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`, node and script first) and resolves to the exit
 * code: 0 ok, 1 failure, 2 usage or configuration error. Errors are printed as one line.
 */
export async function run(
  argv: readonly string[],
  options: CreateProgramOptions = {},
): Promise<number> {
  const io = options.io ?? processIo();
  const program = createProgram({ ...options, io });
  try {
    await program.parseAsync([...argv]);
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
        return ExitCode.OK;
      // Help shown because a subcommand is missing (`graphtrace traces`) is a usage error.
      if (err.code === 'commander.help') return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return ExitCode.USAGE;
    }
    const e = toCliError(err);
    const debug = program.opts<GlobalOptions>().debug === true || argv.includes('--debug');
    if (!e.silent) new Output(io, program.opts<GlobalOptions>().color === false).error(e.message);
    if (debug) io.stderr.write(`${(e.cause instanceof Error ? e.cause : e).stack ?? ''}\n`);
    return e.exitCode;
  }
}
