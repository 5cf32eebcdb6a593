import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleLogger, type Logger, type TrackingStore } from '@graphtrace/core';
import { createAdaptorServer } from '@hono/node-server';
import type { LiveOptions } from '../api/live-types.js';
import { DashboardError } from '../errors.js';
import { scanQueries } from '../queries/scan-queries.js';
import type { DashboardQueries } from '../queries/types.js';
import { createDashboardApp } from './create-app.js';
import { isLoopbackHost } from './host-guard.js';

/** Beside MLflow's own UI, which takes 5000. */
export const DEFAULT_PORT = 5005;

export interface StartDashboardOptions {
  store: TrackingStore;
  /** Interface to listen on. Default 127.0.0.1 (this machine only); anything else warns. */
  host?: string;
  /** Default 5005; 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /**
   * Aggregates: `sqliteAnalytics(store)` (@graphtrace/store-sqlite) for SQL over a SQLite
   * store. Default: `scanQueries(store)`, which pages through the store in bounded windows.
   * The caller closes what it passes.
   */
  queries?: DashboardQueries;
  /** The built web app; default this package's `dist/web`. */
  assetsDir?: string;
  /** How long aggregates are reused, ms (default 10 000). */
  cacheTtlMs?: number;
  /** Live push of new traces: store read interval, stream cap, heartbeat (see `LiveOptions`). */
  live?: LiveOptions;
}

export interface DashboardServer {
  /** e.g. `http://127.0.0.1:5005` */
  url: string;
  host: string;
  port: number;
  /** Which analytics compute the aggregates. */
  analytics: { kind: 'sql' | 'scan'; description: string };
  /** Stops listening and ends open connections (the store stays open). */
  close(): Promise<void>;
}

/** URL host part: IPv6 addresses in brackets, the wildcard shown as what to open. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Exposed, the dashboard must answer the names it is reached by, so the Host check that keeps
 * rebound names out is off: the warning says so, and how to reach it from elsewhere safely.
 */
function exposureWarning(host: string, port: number): string {
  return (
    `the dashboard listens on ${host}, not a loopback address: anyone who can reach this machine on port ${port} can read your traces (inputs and outputs included) and add feedback. ` +
    'It also answers requests for any host name, which opens it to DNS rebinding: a web page open in your browser can reach it through a host name that page controls. ' +
    `To use it from another machine, keep it on 127.0.0.1 and forward the port over SSH (ssh -L ${port}:127.0.0.1:${port} <this machine>), or put it behind a proxy that authenticates users.`
  );
}

/**
 * Serves the dashboard (API and web app) over the store on `host:port` until `close()`.
 * Binds 127.0.0.1 by default; another host is exposed on purpose, with a warning, since
 * traces hold prompts and outputs.
 */
export async function startDashboard(options: StartDashboardOptions): Promise<DashboardServer> {
  const logger = options.logger ?? consoleLogger;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new DashboardError(
      'LISTEN_FAILED',
      `port must be an integer from 0 to 65535, got ${port}`,
    );
  const loopback = isLoopbackHost(host);
  const queries = options.queries ?? scanQueries(options.store);
  // Ends the live streams on close(): the server would otherwise keep reading the store for
  // them, and a stream is never idle, so nothing else would end it.
  const stopping = new AbortController();
  const app = createDashboardApp(options.store, {
    queries,
    logger,
    signal: stopping.signal,
    ...(options.live === undefined ? {} : { live: options.live }),
    allowedHosts: loopback ? 'loopback' : 'any',
    ...(options.assetsDir === undefined ? {} : { assetsDir: options.assetsDir }),
    ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
  });
  // overrideGlobalObjects: false leaves the host program's global Request/Response alone.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new DashboardError(
              'PORT_IN_USE',
              `port ${port} on ${host} is already in use: choose another one (--port)`,
              { cause: err },
            )
          : new DashboardError(
              'LISTEN_FAILED',
              `cannot listen on ${host}:${port}: ${err.message}`,
              { cause: err },
            ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const bound = (server.address() as AddressInfo).port;
  if (!loopback) logger.warn(exposureWarning(host, bound));
  const url = `http://${urlHost(host)}:${bound}`;
  logger.info(`dashboard analytics: ${queries.description}`);
  let closing: Promise<void> | null = null;
  return {
    url,
    host,
    port: bound,
    analytics: { kind: queries.kind, description: queries.description },
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        // Browsers keep connections alive; without this close() would wait for them.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
