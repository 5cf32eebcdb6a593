import { isIP } from 'node:net';
import type { TrackingStore } from '@graphtrace/core';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import type { App } from '../program.js';
import { parsePort } from './shared.js';

/** What `graphtrace ui` needs of the dashboard package. */
export interface DashboardModule {
  startDashboard(options: { store: TrackingStore; host: string; port: number }): Promise<{
    /** Where it listens, e.g. http://127.0.0.1:5000. */
    url: string;
    close(): Promise<void>;
  }>;
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

export function registerUiCommand(program: Command, app: App): void {
  program
    .command('ui')
    .description('start the GenAI dashboard over the tracking store')
    .option('--port <port>', 'port to listen on', parsePort, 5000)
    .option('--host <host>', 'interface to listen on (loopback by default)', '127.0.0.1')
    .addHelpText(
      'after',
      `
Needs the @graphtrace/dashboard package. The global --tracking-uri picks the store.

Examples:
  $ graphtrace ui
  $ graphtrace ui --port 8080 --tracking-uri sqlite:///runs/mlflow.db`,
    )
    .action(async (options: { port: number; host: string }, command: Command) => {
      const ctx = app.context(command);
      // Before opening anything: without the package there is nothing to serve.
      const dashboard = await loadDashboard();
      if (!isLoopback(options.host)) {
        ctx.out.warn(
          `--host ${options.host} is not a loopback address: anyone who can reach this machine can read your traces (inputs and outputs included)`,
        );
      }
      const store = await ctx.openStore();
      let server: Awaited<ReturnType<DashboardModule['startDashboard']>>;
      try {
        server = await dashboard.startDashboard({ store, host: options.host, port: options.port });
      } catch (err) {
        await store.close();
        throw err;
      }
      ctx.out.line(`graphtrace dashboard at ${server.url} (store ${store.uri}); Ctrl+C to stop`);
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
      await store.close();
    });
}
