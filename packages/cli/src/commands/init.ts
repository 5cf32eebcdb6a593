import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CONFIG_VERSION,
  describeOptions,
  FallbackConfigSchema,
  loadConfigText,
  type OptionDescription,
  tryParseTrackingUri,
} from '@graphtrace/config';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { App } from '../app.js';
import { DEFAULT_CONFIG_FILE } from '../context.js';
import { CliError, usageError } from '../errors.js';

const SECTION = 'observability.mlflow.';

function scalar(value: unknown): string {
  // One line of flow YAML: strings quoted only where YAML needs it.
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

function comment(option: OptionDescription): string {
  const env = option.env.length > 0 ? ` [env: ${option.env.join(', ')}]` : '';
  const secret = option.secret ? '; a secret: prefer the environment variable to this file' : '';
  return `${option.description}${env}${secret}`;
}

/**
 * The commented config file `graphtrace init` writes: every option of the schema, in schema
 * order, with its description, environment variables and default, so the comments come from
 * the same place as the validation and cannot drift from it.
 */
export function initialConfigText(values: Record<string, unknown> = {}): string {
  const lines = [
    '# graphtrace configuration, written by `graphtrace init`.',
    '# Every option is listed with its default; commented-out options are unset.',
    '# Precedence: defaults < this file < environment variables < command-line flags.',
    '# Check it with `graphtrace config check`; see the effective values with `graphtrace config show`.',
    'observability:',
    '  mlflow:',
  ];
  let group: string | undefined;
  for (const option of describeOptions()) {
    const segments = option.path.slice(SECTION.length).split('.');
    const key = segments.at(-1)!;
    let indent = '    ';
    if (segments.length > 1) {
      if (group !== segments[0]) {
        group = segments[0]!;
        lines.push(`    # ${FallbackConfigSchema.description ?? group}`, `    ${group}:`);
      }
      indent = '      ';
    }
    lines.push(`${indent}# ${comment(option)}`);
    const value = option.path in values ? values[option.path] : option.default;
    if (value === undefined) lines.push(`${indent}# ${key}:`);
    else lines.push(`${indent}${key}: ${scalar(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerInitCommand(program: Command, app: App): void {
  program
    .command('init')
    .description('write a commented config file (graphtrace.yaml) in the current format')
    .option('--path <file>', 'where to write it', DEFAULT_CONFIG_FILE)
    .option('--experiment <name>', 'experiment_name to record into')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      `
The global --tracking-uri, when given, becomes the file's tracking_uri.

Examples:
  $ graphtrace init
  $ graphtrace init --experiment my_agent --tracking-uri http://localhost:5000
  $ graphtrace init --path config/graphtrace.yaml --force`,
    )
    .action(
      async (options: { path: string; experiment?: string; force?: boolean }, command: Command) => {
        const ctx = app.context(command);
        const values: Record<string, unknown> = {};
        const uri = ctx.globals.trackingUri;
        if (uri !== undefined) {
          const parsed = tryParseTrackingUri(uri);
          if (!parsed.ok) throw usageError(`--tracking-uri: ${parsed.message}`, 'INVALID_URI');
          values[`${SECTION}tracking_uri`] = uri;
        }
        if (options.experiment !== undefined) {
          if (options.experiment.trim() === '') throw usageError('--experiment: the name is empty');
          values[`${SECTION}experiment_name`] = options.experiment;
        }
        const text = initialConfigText(values);
        // The file must load cleanly: a generated file with errors would be our bug.
        const check = loadConfigText(text, {
          filename: options.path,
          env: {},
          checkFilesystem: false,
        });
        if (!check.ok || check.warnings.length > 0) {
          const issue = [...check.errors, ...check.warnings][0];
          throw new CliError('INTERNAL', `the generated file does not load: ${issue?.message}`);
        }
        if (check.config.observability.mlflow.config_version !== CONFIG_VERSION)
          throw new CliError('INTERNAL', 'the generated file has the wrong config_version');
        const path = resolve(ctx.cwd, options.path);
        try {
          await writeFile(path, text, { encoding: 'utf8', flag: options.force ? 'w' : 'wx' });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') {
            throw new CliError(
              'FILE_EXISTS',
              `${options.path} already exists; pass --force to overwrite it, or check it with \`graphtrace config check\``,
            );
          }
          throw new CliError('WRITE_FAILED', `cannot write ${path}: ${(err as Error).message}`);
        }
        ctx.out.line(`wrote ${options.path}`);
        ctx.out.info('next: `graphtrace doctor` checks the tracking set-up');
      },
    );
}
