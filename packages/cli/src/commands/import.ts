import { resolve } from 'node:path';
import { tryParseTrackingUri } from '@graphtrace/config';
import type { Command } from 'commander';
import type { App } from '../app.js';
import { usageError } from '../errors.js';
import { progressBar } from '../output/progress.js';
import { transfer } from '../transfer/copy.js';
import { fileStoreSource } from '../transfer/file-store-source.js';
import { collect, JSON_HELP } from './shared.js';
import { failIfIncomplete, printTransfer, transferJson } from './transfer-report.js';

export function checkTargetUri(uri: string, flag: string): void {
  const parsed = tryParseTrackingUri(uri);
  if (!parsed.ok) throw usageError(`${flag}: ${parsed.message}`, 'INVALID_URI');
}

export function registerImportCommand(program: Command, app: App): void {
  const imp = program
    .command('import')
    .description('import data from other MLflow set-ups')
    .addHelpText(
      'after',
      '\nExamples:\n  $ graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db\n',
    );

  imp
    .command('mlruns')
    .description('import an MLflow FileStore directory (file://./mlruns) into a store')
    .argument('<dir>', 'the mlruns directory')
    .option('--to <uri>', 'target store (default: the tracking URI, normally sqlite:///mlflow.db)')
    .option('--experiment <name|id>', 'only this experiment (repeatable); default: all', collect)
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Imports experiments (matched by name), runs with their params, metric history and tags
(run ids kept), and traces with their spans (trace ids kept). Deleted experiments and runs
are skipped. Running it again imports nothing new. Artifacts stay in the mlruns directory.

Examples:
  $ graphtrace import mlruns ./mlruns
  $ graphtrace import mlruns ./mlruns --to sqlite:///mlflow.db --experiment my_agent
  $ graphtrace import mlruns /data/mlruns --to http://mlflow.internal:5000 --json`,
    )
    .action(
      async (
        dir: string,
        options: { to?: string; experiment?: string[]; json?: boolean },
        command: Command,
      ) => {
        const ctx = app.context(command);
        if (options.to !== undefined) checkTargetUri(options.to, '--to');
        const source = fileStoreSource(resolve(ctx.cwd, dir));
        await source.experiments(); // a wrong directory fails before the target is created
        const to = options.to ?? ctx.trackingUri().uri;
        const summary = await ctx.withStore(
          (target) =>
            transfer(source, target, {
              ...(options.experiment ? { experiments: options.experiment } : {}),
              progress: progressBar(ctx.out, 'importing'),
            }),
          { uri: to, flag: '--to', precheck: true },
        );
        summary.source = dir;
        if (options.json) ctx.out.json(transferJson(summary));
        else printTransfer(ctx, summary, 'imported');
        failIfIncomplete(summary, 'imported');
      },
    );
}
