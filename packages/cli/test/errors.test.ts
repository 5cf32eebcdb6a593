import { ConfigError } from '@graphtrace/config';
import { FilterSyntaxError, GraphtraceError } from '@graphtrace/core';
import { SchemaError } from '@graphtrace/store-sqlite';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode, toCliError, usageError } from '../src/errors.js';

describe('toCliError: one error family, exit code by code', () => {
  it('a CliError is a GraphtraceError and passes through unchanged', () => {
    const err = usageError('--limit must be a positive integer');
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(toCliError(err)).toBe(err);
  });

  it('errors the user fixes in the command or the configuration exit 2, first line only', () => {
    const filter = new FilterSyntaxError('tags.x =', 9, 'a value is missing');
    const config = new ConfigError('CONFIG_INVALID_URI', 'ftp://x is not a tracking URI');
    const token = new GraphtraceError('INVALID_PAGE_TOKEN', 'bad page token');
    for (const [err, code] of [
      [filter, 'INVALID_FILTER'],
      [config, 'CONFIG_INVALID_URI'],
      [token, 'INVALID_PAGE_TOKEN'],
    ] as const) {
      const cli = toCliError(err);
      expect(cli).toMatchObject({ code, exitCode: ExitCode.USAGE, cause: err });
      expect(cli.message).not.toContain('\n');
    }
  });

  it('store failures, schema errors included, exit 1 and keep their code', () => {
    const schema = new SchemaError('SQLITE_NOT_MLFLOW', 'x.db is not an MLflow database', {
      expectedRevision: 'd3e4f5a6b7c8',
    });
    expect(toCliError(schema)).toMatchObject({
      code: 'SQLITE_NOT_MLFLOW',
      exitCode: ExitCode.FAILURE,
      message: 'x.db is not an MLflow database',
    });
    expect(toCliError(new GraphtraceError('STORE_UNAVAILABLE', 'down'))).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      exitCode: ExitCode.FAILURE,
    });
  });

  it('anything else is INTERNAL, exit 1, with its message', () => {
    const node = Object.assign(new Error('EACCES: permission denied\n  at …'), { code: 'EACCES' });
    expect(toCliError(node)).toMatchObject({
      code: 'INTERNAL',
      exitCode: ExitCode.FAILURE,
      message: 'EACCES: permission denied',
    });
    expect(toCliError('thrown text')).toMatchObject({ code: 'INTERNAL', message: 'thrown text' });
    expect(toCliError(node)).toBeInstanceOf(CliError);
  });
});
