import { relative } from 'node:path';
import {
  type ConfigIssue,
  describeOptions,
  migrateConfigFile,
  redactConfig,
} from '@graphtrace/config';
import type { Command } from 'commander';
import { createTwoFilesPatch } from 'diff';
import type { App } from '../app.js';
import { describeSource } from '../context.js';
import { CliError, ExitCode, usageError } from '../errors.js';
import type { Colors } from '../output/colors.js';
import { renderTable } from '../output/table.js';
import { JSON_HELP } from './shared.js';

function valueAt(object: unknown, path: string): unknown {
  let current = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function showValue(value: unknown): string {
  if (value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function issueJson(issue: ConfigIssue) {
  return { ...issue };
}

/** A unified diff with +/- lines coloured on a terminal. */
export function colourDiff(patch: string, c: Colors): string {
  return patch
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? c.bold(l)
        : l.startsWith('+')
          ? c.green(l)
          : l.startsWith('-')
            ? c.red(l)
            : l.startsWith('@@')
              ? c.cyan(l)
              : l,
    )
    .join('\n');
}

export function registerConfigCommand(program: Command, app: App): void {
  const config = program
    .command('config')
    .description('show, check and migrate the configuration')
    .addHelpText(
      'after',
      '\nExamples:\n  $ graphtrace config show\n  $ graphtrace config check\n  $ graphtrace config migrate old-config.yaml --write\n',
    );

  config
    .command('show')
    .description('print the effective configuration and where each value comes from')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Secrets (token, password) are shown as ***.

Examples:
  $ graphtrace config show
  $ MLFLOW_TRACKING_URI=http://localhost:5000 graphtrace config show
  $ graphtrace config show --json | jq '.sources["observability.mlflow.tracking_uri"]'`,
    )
    .action((options: { json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const { result, file } = ctx.config();
      const shown = redactConfig(result.config);
      const rows = describeOptions().map((o) => ({
        path: o.path,
        value: valueAt(shown, o.path),
        source: describeSource(result.sources[o.path], ctx.cwd),
      }));
      if (options.json) {
        ctx.out.json({
          file: result.file ?? null,
          config: shown,
          sources: result.sources,
          warnings: result.warnings.map(issueJson),
          notes: result.notes,
        });
        return;
      }
      ctx.out.info(
        file.path === undefined
          ? 'no config file (looked for ./graphtrace.yaml); values from defaults and the environment'
          : `config file: ${relative(ctx.cwd, result.file ?? file.path) || file.path}${file.via === 'default' ? '' : ` (from ${file.via})`}`,
      );
      const c = ctx.out.color;
      ctx.out.line(
        renderTable(
          rows,
          [
            { header: 'OPTION', value: (r) => r.path.replace(/^observability\.mlflow\./, '') },
            { header: 'VALUE', value: (r) => showValue(r.value), max: 60 },
            {
              header: 'SOURCE',
              value: (r) => r.source,
              style: (t, r) =>
                r.source === 'default' || r.source === 'unset' ? c.dim(t) : c.cyan(t),
            },
          ],
          c,
        ),
      );
      for (const note of result.notes) ctx.out.info(`note: ${note}`);
    });

  config
    .command('check')
    .description('validate the configuration; exit 2 when it has errors')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Checks the file (or --config), the environment variables and the flags, including that a
sqlite database can be created where tracking_uri points.

Examples:
  $ graphtrace config check
  $ graphtrace --config deploy/graphtrace.yaml config check --json`,
    )
    .action((options: { json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const { result, file } = ctx.loadRaw({ checkFilesystem: true });
      const label = file.path ?? '(no config file; environment and defaults)';
      if (options.json) {
        ctx.out.json({
          ok: result.ok,
          file: result.file ?? null,
          errors: result.errors.map(issueJson),
          warnings: result.warnings.map(issueJson),
          notes: result.notes,
        });
      } else {
        const c = ctx.out.color;
        for (const e of result.errors) ctx.out.line(`${c.red('error')}    ${e.message}`);
        for (const w of result.warnings) ctx.out.line(`${c.yellow('warning')}  ${w.message}`);
        for (const n of result.notes) ctx.out.line(`${c.dim('note')}     ${n}`);
        ctx.out.line(
          result.ok
            ? `${c.green('✓')} ${label} is valid${result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'})` : ''}`
            : `${c.red('✗')} ${label}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`,
        );
      }
      if (!result.ok) {
        // Reported above; the exit code is the message for scripts.
        throw new CliError('CONFIG_INVALID', 'the configuration has errors', {
          exitCode: ExitCode.USAGE,
          silent: true,
        });
      }
    });

  config
    .command('migrate')
    .description('rewrite an MLflow 2.9-era config file in the current format (preview by default)')
    .argument(
      '[file]',
      'the file to migrate (default: --config, $GRAPHTRACE_CONFIG or ./graphtrace.yaml)',
    )
    .option('--write', 'apply the change (the original is kept as <file>.bak)')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Without --write, prints the change as a unified diff and changes nothing. Comments, key order
and unrelated sections are kept; file://./mlruns becomes sqlite:///mlflow.db (import the old
runs with \`graphtrace import mlruns\`).

Examples:
  $ graphtrace config migrate
  $ graphtrace config migrate config/observability.yaml --write`,
    )
    .action(
      async (
        fileArg: string | undefined,
        options: { write?: boolean; json?: boolean },
        command: Command,
      ) => {
        const ctx = app.context(command);
        const path = fileArg ?? ctx.configFile().path;
        if (path === undefined)
          throw usageError(
            'no config file to migrate: name one (graphtrace config migrate <file>) or pass --config',
          );
        const result = await migrateConfigFile(path, { cwd: ctx.cwd, dryRun: !options.write });
        const shownPath = relative(ctx.cwd, result.file) || path;
        const diff = result.changed
          ? createTwoFilesPatch(
              `a/${shownPath}`,
              `b/${shownPath}`,
              result.before,
              result.after,
              '',
              '',
              {
                context: 3,
              },
            )
              // jsdiff starts with a `====` rule that git-style diffs do not have.
              .replace(/^=+\n/, '')
          : '';
        if (options.json) {
          ctx.out.json({
            ok: result.ok,
            file: result.file,
            changed: result.changed,
            written: result.written,
            backup_path: result.backupPath ?? null,
            diff,
            errors: result.errors.map(issueJson),
            warnings: result.warnings.map(issueJson),
            notes: result.notes,
          });
        } else if (result.ok) {
          if (!result.changed)
            ctx.out.info(`${shownPath} is already in the current format; nothing to do`);
          else {
            ctx.out.write(colourDiff(diff, ctx.out.color));
            for (const w of result.warnings) ctx.out.info(`- ${w.message}`);
            if (result.written)
              ctx.out.info(
                `rewrote ${shownPath}; the original is kept as ${relative(ctx.cwd, result.backupPath ?? '') || result.backupPath}`,
              );
            else
              ctx.out.info(`preview only: run again with --write to apply (a .bak copy is kept)`);
          }
          for (const n of result.notes) ctx.out.info(`note: ${n}`);
        }
        if (!result.ok) {
          const [first, ...rest] = result.errors;
          const error = new CliError(
            first?.code ?? 'CONFIG_INVALID',
            `${first?.message ?? 'cannot migrate'}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`,
            {
              exitCode: first?.code === 'CONFIG_WRITE_FAILED' ? ExitCode.FAILURE : ExitCode.USAGE,
              silent: options.json === true,
            },
          );
          throw error;
        }
      },
    );
}
