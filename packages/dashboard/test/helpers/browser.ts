import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@graphtrace/core';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  chromiumAvailability,
  describeRequiring,
} from '@graphtrace/mlflow-testkit';
import {
  type SqliteAnalytics,
  type SqliteStore,
  sqliteAnalytics,
  sqliteStore,
} from '@graphtrace/store-sqlite';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type DashboardServer, startDashboard } from '../../src/index.js';

/** Where tests leave their screenshots (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../.test-artifacts/', import.meta.url));

/**
 * `describe` for tests in a real browser: skipped outside CI without Chromium (its name saying
 * why), failing with CI=true, so CI can never pass by skipping.
 */
export function describeBrowser(name: string, fn: () => void): void {
  describeRequiring(name, { what: 'Chromium', availability: chromiumAvailability() }, fn);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile directory, removed on close. */
export async function launchBrowser(
  viewport: { width: number; height: number } = { width: 1280, height: 800 },
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'graphtrace-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * Collects the page's uncaught errors and console errors, for a final "no errors" check. A
 * failed resource load (an expected 400 or 404 the page shows) is not one unless `strict`.
 */
export function watchPageErrors(page: Page, strict = false): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && (strict || !m.text().startsWith('Failed to load resource')))
      errors.push(m.text());
  });
  return errors;
}

/** The dashboard over a store (SQL analytics, quiet logger) with a Chromium page open on it. */
export interface DashboardUi {
  analytics: SqliteAnalytics;
  server: DashboardServer;
  browser: Browser;
  page: Page;
  /** What `watchPageErrors` collects on the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openDashboardUi(
  store: SqliteStore,
  options: { cacheTtlMs?: number; strictErrors?: boolean } = {},
): Promise<DashboardUi> {
  const analytics = sqliteAnalytics(store);
  const server = await startDashboard({
    store,
    port: 0,
    queries: analytics,
    logger: silentLogger,
    ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
  });
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  const pageErrors = watchPageErrors(page, options.strictErrors);
  return {
    analytics,
    server,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
      await analytics.close();
    },
  };
}

/** A seeded SQLite file with the dashboard and a Chromium page open on it, for one suite. */
export interface SeededUi<T> {
  store: SqliteStore;
  seeded: T;
  ui: DashboardUi;
  /** Opens `#/…` on the dashboard. */
  open(hash: string): Promise<unknown>;
}

export interface SeededUiOptions {
  /** The server's aggregate cache, ms (default 0: none; null: its default, as `graphtrace ui`). */
  cacheTtlMs?: number | null;
  /** Failed resource loads count as page errors (default true). */
  strictErrors?: boolean;
}

/**
 * Registers the suite's set-up and clean-up: a fresh `mlflow.db` written by `seed`, then the
 * dashboard (no cache, strict page errors unless `options` say otherwise) and a page on it.
 * Fields are set once `beforeAll` ran.
 */
export function seededDashboardUi<T>(
  prefix: string,
  seed: (store: SqliteStore) => Promise<T>,
  options: SeededUiOptions = {},
): SeededUi<T> {
  const cacheTtlMs = options.cacheTtlMs === null ? undefined : (options.cacheTtlMs ?? 0);
  const strictErrors = options.strictErrors ?? true;
  let dir = '';
  const ctx = {
    open: (hash: string) => ctx.ui.page.goto(`${ctx.ui.server.url}/${hash}`),
  } as SeededUi<T>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    ctx.store = sqliteStore({ path: join(dir, 'mlflow.db') });
    ctx.seeded = await seed(ctx.store);
    ctx.ui = await openDashboardUi(ctx.store, { cacheTtlMs, strictErrors });
  }, 120_000);
  afterAll(async () => {
    await ctx.ui?.close();
    await ctx.store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return ctx;
}
