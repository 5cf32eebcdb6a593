import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseTrackingUri, resolveSqlitePath } from '@graphtrace/config';
import { errorMessage } from '@graphtrace/core';
import { SPOOL_PATH } from '@graphtrace/setup';
import type { Command } from 'commander';
import type { App } from '../app.js';
import type { CliContext, LoadedConfig } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { plural } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { cliVersion, packageVersion } from '../version.js';
import { JSON_HELP } from './shared.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'skip';

export interface Check {
  /** Stable id: config, tracking_uri, server, sqlite, fallback_sqlite, spool. */
  id: string;
  status: CheckStatus;
  /** One line for a person. */
  summary: string;
  /** Facts for scripts (paths, revisions, counts, timings). */
  details: Record<string, unknown>;
}

/** Schema revision, integrity and sizes of a database file, read-only (never creates it). */
async function inspectSqlite(path: string) {
  const { inspectDatabaseFile } = await import('@graphtrace/store-sqlite');
  const { ddlDrift, ...facts } = inspectDatabaseFile(path);
  return { path, ...facts, ddl_drift: ddlDrift };
}

async function schemaFacts() {
  const m = await import('@graphtrace/store-sqlite');
  return {
    classify: m.classifyRevision,
    range: m.MLFLOW_SUPPORTED_RANGE,
    newest: m.NEWEST_SCHEMA_REVISION,
  };
}

function writableDir(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function sqliteCheck(
  id: string,
  label: string,
  uri: string,
  ctx: CliContext,
): Promise<Check> {
  const path = resolveSqlitePath(uri, ctx.cwd);
  const shown = relative(ctx.cwd, path) || path;
  const facts = await inspectSqlite(path);
  const schema = await schemaFacts();
  const range = `MLflow ${schema.range.oldest} to ${schema.range.newest}`;
  const status = facts.revision ? schema.classify(facts.revision) : undefined;
  const details: Record<string, unknown> = {
    uri,
    ...facts,
    supported_mlflow: range,
    mlflow_release:
      status?.kind === 'supported' || status?.kind === 'newer' ? status.release : null,
  };
  if (!facts.exists) {
    const ok = writableDir(path);
    return {
      id,
      status: ok ? 'info' : 'fail',
      summary: ok
        ? `${label} ${shown} does not exist yet; it is created on first use`
        : `${label} ${shown} cannot be created: ${dirname(path)} is missing or not writable`,
      details,
    };
  }
  if (facts.error !== null)
    return {
      id,
      status: 'fail',
      summary: `${label} ${shown} cannot be read: ${facts.error}`,
      details,
    };
  if (facts.integrity !== 'ok')
    return {
      id,
      status: 'fail',
      summary: `${label} ${shown} fails PRAGMA integrity_check (${facts.integrity}); restore it from a backup`,
      details,
    };
  if (facts.revision === null)
    return {
      id,
      status: 'fail',
      summary: `${label} ${shown} is not an MLflow tracking database (no alembic_version revision)`,
      details,
    };
  if (status?.kind !== 'supported') {
    return {
      id,
      status: 'fail',
      summary:
        status?.kind === 'older'
          ? `${label} ${shown} has MLflow schema ${facts.revision}, older than MLflow 3.9: back it up, then run \`mlflow db upgrade sqlite:///${path}\` with any ${range}`
          : status?.kind === 'newer'
            ? `${label} ${shown} has schema ${facts.revision} of MLflow ${status.release}, newer than graphtrace supports (${range}): upgrade graphtrace`
            : `${label} ${shown} has schema ${facts.revision}, unknown to ${range} (written by a newer MLflow?)`,
      details,
    };
  }
  if (facts.ddl_drift.length > 0)
    return {
      id,
      status: 'warn',
      summary: `${label} ${shown}: schema ${facts.revision} (MLflow ${status.release}), but ${facts.ddl_drift.length} tables/indexes are not spelt as MLflow writes them (${facts.ddl_drift[0]}, …), so newer MLflow releases cannot upgrade it: run \`graphtrace db upgrade --to ${status.release}\` (or to a newer release) to rewrite them`,
      details,
    };
  const c = facts.counts;
  return {
    id,
    status: 'ok',
    summary: `${label} ${shown}: schema ${facts.revision} (MLflow ${status.release}), integrity ok${c ? `, ${plural(c.experiments, 'experiment')}, ${plural(c.runs, 'run')}, ${plural(c.traces, 'trace')}` : ''}`,
    details,
  };
}

async function runChecks(
  ctx: CliContext,
): Promise<{ checks: Check[]; versions: Record<string, string | null> }> {
  const checks: Check[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = ctx.config({ quiet: true });
    const { result, file } = loaded;
    const where = result.file ? relative(ctx.cwd, result.file) || result.file : undefined;
    checks.push({
      id: 'config',
      status: result.warnings.length > 0 ? 'warn' : 'ok',
      summary: `${where ? `config ${where}` : 'no config file (defaults and environment)'}${result.warnings.length > 0 ? `: ${plural(result.warnings.length, 'warning')}: ${result.warnings[0]!.message}` : ''}`,
      details: {
        file: result.file ?? null,
        via: file.via,
        warnings: result.warnings.map((w) => w.message),
      },
    });
  } catch (err) {
    checks.push({
      id: 'config',
      status: 'fail',
      summary: `configuration: ${(err as Error).message}`,
      details: {},
    });
  }

  if (loaded) {
    const { uri, source } = ctx.trackingUri();
    const mlflow = loaded.mlflow;
    const parsed = parseTrackingUri(uri);
    checks.push({
      id: 'tracking_uri',
      status: 'info',
      summary: `tracking URI ${uri} (from ${source})`,
      details: { uri, source, scheme: parsed.scheme },
    });
    if (parsed.scheme === 'sqlite') {
      checks.push(await sqliteCheck('sqlite', 'database', uri, ctx));
    } else if (parsed.scheme === 'http' || parsed.scheme === 'https') {
      const timeoutMs = mlflow.fallback.precheck_timeout * 1000;
      // Asked of the store, which checks with the TLS options the program would use; a store
      // that cannot even be opened (a missing ca_bundle file, say) is this check's failure.
      const r = await ctx
        .withStore(async (store) => store.reachable?.(timeoutMs), { uri })
        .catch((err: unknown) => ({
          ok: false,
          reason: `the server store cannot be opened: ${errorMessage(err).split('\n', 1)[0]}`,
          elapsedMs: 0,
        }))
        // A store registered for http(s) by the app may have no check: nothing to report then.
        .then((answer) => answer ?? { ok: true, reason: 'not checked by its store', elapsedMs: 0 });
      const fb = mlflow.fallback;
      const details = {
        url: `${parsed.url}/health`,
        reachable: r.ok,
        reason: r.reason,
        elapsed_ms: r.elapsedMs,
        timeout_ms: timeoutMs,
        fallback_enabled: fb.enabled,
        fallback_uri: fb.uri,
      };
      if (r.ok) {
        checks.push({
          id: 'server',
          status: 'ok',
          summary:
            r.reason === 'ok'
              ? `${parsed.url}/health answered in ${r.elapsedMs} ms: graphtrace records to the server`
              : `${parsed.url}: ${r.reason}`,
          details,
        });
      } else {
        checks.push({
          id: 'server',
          status: fb.enabled ? 'warn' : 'fail',
          summary: fb.enabled
            ? `${parsed.url} is unreachable (${r.reason}, after ${r.elapsedMs} ms): programs fall back to ${fb.uri} with one warning; copy those traces later with \`graphtrace sync --from ${fb.uri} --to ${parsed.url}\``
            : `${parsed.url} is unreachable (${r.reason}, after ${r.elapsedMs} ms) and fallback.enabled is false: programs cannot record`,
          details,
        });
      }
      if (fb.enabled && parseTrackingUri(fb.uri).scheme === 'sqlite')
        checks.push(await sqliteCheck('fallback_sqlite', 'fallback database', fb.uri, ctx));
    }
  } else {
    checks.push({
      id: 'tracking_uri',
      status: 'skip',
      summary: 'tracking URI not checked: fix the configuration first',
      details: {},
    });
  }

  const spoolPath = resolve(ctx.cwd, SPOOL_PATH);
  if (!existsSync(spoolPath)) {
    checks.push({
      id: 'spool',
      status: 'ok',
      summary: `no spool (${SPOOL_PATH}): nothing waiting to be replayed`,
      details: { path: spoolPath, traces: 0 },
    });
  } else {
    const facts = await inspectSqlite(spoolPath);
    const n = facts.counts?.traces ?? null;
    checks.push({
      id: 'spool',
      status: facts.error !== null ? 'fail' : n ? 'warn' : 'ok',
      summary:
        facts.error !== null
          ? `spool ${SPOOL_PATH} cannot be read: ${facts.error}`
          : n
            ? `spool ${SPOOL_PATH} holds ${plural(n, 'trace')} from a server outage: replay them with \`graphtrace sync\``
            : `spool ${SPOOL_PATH} is empty`,
      details: { path: spoolPath, traces: n, error: facts.error },
    });
  }

  const schema = await schemaFacts();
  const versions: Record<string, string | null> = {
    node: process.versions.node,
    '@graphtrace/cli': cliVersion(),
  };
  for (const name of [
    '@graphtrace/core',
    '@graphtrace/config',
    '@graphtrace/store-sqlite',
    '@graphtrace/store-mlflow',
    '@graphtrace/dashboard',
  ])
    versions[name] = packageVersion(name) ?? null;
  versions['better-sqlite3'] = packageVersion('better-sqlite3') ?? null;
  versions['mlflow schemas'] =
    `MLflow ${schema.range.oldest} to ${schema.range.newest} (up to ${schema.newest})`;
  return { checks, versions };
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·', skip: '-' };

export function registerDoctorCommand(program: Command, app: App): void {
  program
    .command('doctor')
    .description(
      'check the tracking set-up: config, server reachability, database schema, spool, versions',
    )
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Exits 1 when a check fails. Nothing is created or changed.

Examples:
  $ graphtrace doctor
  $ graphtrace doctor --tracking-uri http://localhost:5000
  $ graphtrace doctor --json | jq '.checks[] | select(.status != "ok")'`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const { checks, versions } = await runChecks(ctx);
      const ok = !checks.some((c) => c.status === 'fail');
      if (options.json) ctx.out.json({ ok, checks, versions });
      else {
        const c = ctx.out.color;
        const paint = { ok: c.green, warn: c.yellow, fail: c.red, info: c.cyan, skip: c.dim };
        for (const check of checks)
          ctx.out.line(`${paint[check.status](MARK[check.status])} ${check.summary}`);
        ctx.out.line();
        ctx.out.line(
          renderTable(
            Object.entries(versions),
            [
              { header: 'COMPONENT', value: ([k]) => k },
              {
                header: 'VERSION',
                value: ([, v]) => v ?? 'not installed',
                style: (t, [, v]) => (v ? t : c.dim(t)),
              },
            ],
            c,
          ),
        );
      }
      if (!ok) {
        const failed = checks.filter((x) => x.status === 'fail');
        // A broken configuration is a configuration error, whatever command found it.
        const config = failed.some((x) => x.id === 'config');
        throw new CliError('CHECKS_FAILED', `${plural(failed.length, 'check')} failed`, {
          silent: options.json === true,
          exitCode: config ? ExitCode.USAGE : ExitCode.FAILURE,
        });
      }
    });
}
