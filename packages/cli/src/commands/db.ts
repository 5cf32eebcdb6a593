import { relative } from 'node:path';
import { parseTrackingUri, resolveSqlitePath } from '@graphtrace/config';
import type { Command } from 'commander';
import type { App } from '../app.js';
import { CliError, usageError } from '../errors.js';
import { JSON_HELP } from './shared.js';

interface UpgradeOptions {
  to?: string;
  backup: boolean;
  json?: boolean;
}

export function registerDbCommand(program: Command, app: App): void {
  const db = program
    .command('db')
    .description('maintain the SQLite tracking database')
    .addHelpText('after', '\nExamples:\n  $ graphtrace db upgrade\n');

  db.command('upgrade')
    .description(
      "move the database to a newer MLflow release's schema, as `mlflow db upgrade` does",
    )
    .option('--to <version>', 'MLflow release (e.g. 3.15) or alembic revision; default the newest')
    .option('--no-backup', 'do not keep a copy of the file as it was')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
The global --tracking-uri (or the configuration) names the file; it must be sqlite:///….
The upgrade runs in one transaction: programs using the file wait for it and then see the
upgraded file; a failure leaves the file as it was. A copy of the file as it was is kept
beside it (<file>.<revision>.bak) unless --no-backup. MLflow 3.9.0 opens only its own
schema: upgrade a file only when everyone reading it runs the newer MLflow.

Examples:
  $ graphtrace db upgrade                        to the newest MLflow graphtrace knows
  $ graphtrace db upgrade --to 3.15              to MLflow 3.15's schema
  $ graphtrace --tracking-uri sqlite:///runs/mlflow.db db upgrade --json`,
    )
    .action(async (options: UpgradeOptions, command: Command) => {
      const ctx = app.context(command);
      const { uri } = ctx.trackingUri();
      const parsed = parseTrackingUri(uri);
      if (parsed.scheme !== 'sqlite')
        throw usageError(
          `db upgrade works on a SQLite file, but the tracking URI is ${uri}: an MLflow server upgrades its own database (\`mlflow db upgrade <its backend URI>\`); pass --tracking-uri sqlite:///path.db for a file`,
          'INVALID_URI',
        );
      const path = resolveSqlitePath(parsed, ctx.cwd);
      const m = await import('@graphtrace/store-sqlite');
      let result: Awaited<ReturnType<typeof m.upgradeDatabase>>;
      try {
        result = await m.upgradeDatabase(path, {
          ...(options.to === undefined ? {} : { to: options.to }),
          backup: options.backup,
          ...(options.json
            ? {}
            : {
                onStep: (revision, i, n) =>
                  ctx.out.info(
                    `step ${i + 1}/${n}: ${revision} (MLflow ${m.mlflowReleaseOf(revision)})`,
                  ),
              }),
        });
      } catch (err) {
        if (err instanceof m.SchemaError && err.code === 'SQLITE_SCHEMA_UNKNOWN_VERSION')
          throw usageError(err.message, err.code);
        if (err instanceof m.SchemaError) throw new CliError(err.code, err.message, { cause: err });
        throw err;
      }
      const shown = relative(ctx.cwd, path) || path;
      const release = (revision: string) => `MLflow ${m.mlflowReleaseOf(revision)}`;
      if (options.json) {
        ctx.out.json({
          path: result.path,
          from: { revision: result.from, mlflow: m.mlflowReleaseOf(result.from) },
          to: { revision: result.to, mlflow: m.mlflowReleaseOf(result.to) },
          steps: result.steps,
          repaired: result.repaired,
          backup: result.backupPath,
        });
        return;
      }
      if (result.repaired.length > 0)
        ctx.out.info(
          `rewrote the DDL of ${result.repaired.length} objects (${result.repaired.slice(0, 3).join(', ')}${result.repaired.length > 3 ? ', …' : ''}) to MLflow's own, so MLflow's migrations can read it`,
        );
      ctx.out.line(
        result.steps.length > 0
          ? `upgraded ${shown} from ${result.from} (${release(result.from)}) to ${result.to} (${release(result.to)}) in ${result.steps.length} step${result.steps.length === 1 ? '' : 's'}`
          : result.repaired.length > 0
            ? `${shown} stays at ${result.to} (${release(result.to)}), its DDL now MLflow's`
            : `${shown} is already at ${result.to} (${release(result.to)}): nothing to do`,
      );
      if (result.backupPath)
        ctx.out.info(
          `the file as it was: ${relative(ctx.cwd, result.backupPath) || result.backupPath}`,
        );
    });
}
