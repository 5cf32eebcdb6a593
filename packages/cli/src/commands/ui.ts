import { isIP } from 'node:net';
import type { Logger, TrackingStore } from '@graphtrace/core';
import type {
  DashboardQueries,
  DashboardServer,
  StartDashboardOptions,
} from '@graphtrace/dashboard';
import type { Command } from 'commander';
import type { App } from '../app.js';
import { CliError } from '../errors.js';
import { parsePort } from './shared.js';

/** What `graphtrace ui` needs of the dashboard package (loaded on use: see loadDashboard). */
export interface DashboardModule {
  startDashboard(options: StartDashboardOptions): Promise<DashboardServer>;
}

const DASHBOARD_PACKAGE = '@graphtrace/dashboard';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** Loads the dashboard package; its absence is a one-line error, not a stack trace. */
export async function loadDashboard(specifier = DASHBOARD_PACKAGE): Promise<DashboardModule> {
  let mod: Partial<DashboardModule>;
  try {
    mod = (await import(specifier)) as Partial<DashboardModule>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError(
        'DASHBOARD_NOT_INSTALLED',
        `the dashboard package is not installed: install ${specifier} next to @graphtrace/cli (npm i ${specifier}), or open the database with \`mlflow ui\``,
        { cause: err },
      );
    }
    throw err;
  }
  if (typeof mod.startDashboard !== 'function')
    throw new CliError(
      'DASHBOARD_NOT_INSTALLED',
      `${specifier} does not export startDashboard: upgrade it to match @graphtrace/cli`,
    );
  return mod as DashboardModule;
}

/**
 * Indexed SQL aggregates for a SQLite store (the CLI is where concrete stores are wired
 * together); any other store leaves the dashboard to page through it.
 */
async function analyticsFor(store: TrackingStore): Promise<DashboardQueries | undefined> {
  if (!store.uri.startsWith('sqlite:')) return undefined;
  const { SqliteStore, sqliteAnalytics } = await import('@graphtrace/store-sqlite');
  if (!(store instanceof SqliteStore) || /^sqlite:\/\/\/(:memory:)?$/.test(store.uri))
    return undefined;
  return sqliteAnalytics(store);
}

export function registerUiCommand(program: Command, app: App): void {
  program
    .command('ui')
    .description('start the GenAI dashboard over the tracking store')
    .option('--port <port>', "port to listen on (MLflow's own UI takes 5000)", parsePort, 5005)
    .option('--host <host>', 'interface to listen on (loopback by default)', '127.0.0.1')
    .addHelpText(
      'after',
      `
The global --tracking-uri picks the store (default: the configuration's, else
sqlite:///mlflow.db). SQLite stores get SQL aggregates; other stores are paged through.
--host other than a loopback address exposes your traces to the network and turns off the
check of the Host header that keeps other web sites out (DNS rebinding): a warning is shown.
To reach the dashboard from elsewhere, keep the default host and use an SSH tunnel
(ssh -L 5005:127.0.0.1:5005 <this machine>), or put it behind an authenticating proxy.

Examples:
  $ graphtrace ui
  $ graphtrace ui --port 8080 --tracking-uri sqlite:///runs/mlflow.db
  $ graphtrace ui --host 0.0.0.0          # reachable from other machines`,
    )
    .action(async (options: { port: number; host: string }, command: Command) => {
      const ctx = app.context(command);
      // Before opening anything: without the package there is nothing to serve.
      const dashboard = await loadDashboard();
      const store = await ctx.openStore({ precheck: true });
      let queries: DashboardQueries | undefined;
      let server: DashboardServer;
      const logger: Logger = {
        debug: () => {},
        info: () => {}, // the CLI prints the address and the analytics itself, below
        warn: (m) => ctx.out.warn(m),
        error: (m) => ctx.out.error(m),
      };
      try {
        // Stores open on first use: a file that is damaged or not an MLflow database would
        // otherwise start a dashboard answering every request with an error. Refuse instead.
        await store.searchExperiments({ maxResults: 1 });
        queries = await analyticsFor(store);
        server = await dashboard.startDashboard({
          store,
          host: options.host,
          port: options.port,
          logger,
          ...(queries ? { queries } : {}),
        });
      } catch (err) {
        await queries?.close?.();
        await store.close();
        throw err;
      }
      ctx.out.line(`graphtrace dashboard at ${server.url} (store ${store.uri}); Ctrl+C to stop`);
      ctx.out.info(`aggregates: ${server.analytics.description}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      await queries?.close?.();
      await store.close();
    });
}
