import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Experiment, Logger, TrackingStore } from '@graphtrace/core';
import { costQueriesFor } from '../queries/cost-queries.js';
import type { CostQueries, DashboardQueries } from '../queries/types.js';
import { TtlCache } from '../server/ttl-cache.js';

/** What every route works with. */
export interface ApiContext {
  store: TrackingStore;
  queries: DashboardQueries;
  /** The cost aggregates: `queries`' own, or a bounded scan of the store. */
  costs: CostQueries;
  /** Which of the two computes them. */
  costsKind: 'sql' | 'scan';
  logger: Logger;
  /** Server clock, ms since epoch (tests pin it). */
  now(): number;
  /** The OS user running the dashboard: the default source of new feedback. */
  user: string;
  version: string;
  /** Aggregates, keyed by route and normalised query. */
  aggregates: TtlCache<unknown>;
  /** Active experiments, by name. */
  experiments(): Promise<Experiment[]>;
  /** The ids a request names, or every active experiment's. */
  experimentIds(requested: string[] | undefined): Promise<string[]>;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

/** Experiments listed per request at most (the selector shows them all). */
const MAX_EXPERIMENTS = 5000;

export function createApiContext(options: {
  store: TrackingStore;
  queries: DashboardQueries;
  logger: Logger;
  now?: () => number;
  cacheTtlMs?: number;
}): ApiContext {
  const now = options.now ?? Date.now;
  // The experiment list changes rarely but is needed by most requests: keep it a few seconds.
  const experimentsCache = new TtlCache<Experiment[]>(5_000, 1, now);
  const listExperiments = async () => {
    const out: Experiment[] = [];
    let pageToken: string | null = null;
    do {
      const page = await options.store.searchExperiments({ maxResults: 1000, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && out.length < MAX_EXPERIMENTS);
    return out;
  };
  const { costs, kind: costsKind } = costQueriesFor(options.queries, options.store);
  return {
    store: options.store,
    queries: options.queries,
    costs,
    costsKind,
    logger: options.logger,
    now,
    user: osUser(),
    version: packageVersion(),
    aggregates: new TtlCache<unknown>(options.cacheTtlMs ?? 10_000, 200, now),
    experiments: () => experimentsCache.get('all', listExperiments),
    async experimentIds(requested) {
      if (requested && requested.length > 0) return [...new Set(requested)];
      return (await this.experiments()).map((e) => e.experimentId);
    },
  };
}
