import type {
  Experiment,
  Page,
  SearchRunsQuery,
  SearchTracesQuery,
  TrackingStore,
} from '@graphtrace/core';
import { InvalidArgumentError } from 'commander';
import { collectPages } from '../collect-pages.js';
import { CliError } from '../errors.js';

/** commander parser for `--limit`: a whole number >= 1. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

/** commander parser for ports. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw new InvalidArgumentError('expected a port number from 1 to 65535.');
  return n;
}

/** commander parser for durations in seconds: a number above 0. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0))
    throw new InvalidArgumentError('expected a number of seconds above 0, e.g. 30 or 2.5.');
  return n;
}

/** commander reducer for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Every active experiment of a store, following pages. */
export async function allExperiments(store: TrackingStore): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | null = null;
  do {
    const page = await store.searchExperiments({ maxResults: 1000, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/**
 * The experiments named by `--experiment` (a name or an id; names win over ids that look the
 * same, as in MLflow's own CLI), or every active experiment when none is named.
 */
export async function selectExperiments(
  store: TrackingStore,
  wanted: readonly string[] | undefined,
): Promise<Experiment[]> {
  if (!wanted || wanted.length === 0) return allExperiments(store);
  const out: Experiment[] = [];
  for (const w of wanted) {
    const found =
      (await store.getExperimentByName(w)) ??
      (/^\d+$/.test(w) ? await store.getExperiment(w) : null);
    if (found?.lifecycleStage !== 'active') {
      throw new CliError(
        'NOT_FOUND',
        `experiment '${w}' not found in ${store.uri}; list them with \`graphtrace experiments ls\``,
      );
    }
    if (!out.some((e) => e.experimentId === found.experimentId)) out.push(found);
  }
  return out;
}

/** The options of `runs ls` and `traces ls`. */
export interface LsOptions {
  experiment?: string[];
  filter?: string;
  orderBy?: string[];
  limit: number;
  json?: boolean;
}

/**
 * Up to `--limit` results of a store search (`searchRuns`, `searchTraces`) over the experiments
 * `--experiment` names, with those experiments and whether the store had more.
 */
export async function collectSearch<T>(
  store: TrackingStore,
  options: LsOptions,
  pageSize: number,
  search: (query: SearchRunsQuery & SearchTracesQuery) => Promise<Page<T>>,
): Promise<{ found: T[]; experiments: Experiment[]; more: boolean }> {
  const experiments = await selectExperiments(store, options.experiment);
  if (experiments.length === 0) return { found: [], experiments, more: false };
  const { found, more } = await collectPages(options.limit, pageSize, (wanted, pageToken) =>
    search({
      experimentIds: experiments.map((e) => e.experimentId),
      ...(options.filter === undefined ? {} : { filter: options.filter }),
      ...(options.orderBy === undefined ? {} : { orderBy: options.orderBy }),
      maxResults: wanted,
      pageToken,
    }),
  );
  return { found, experiments, more };
}

export const JSON_HELP = 'print JSON (see JSON_OUTPUT.md) instead of a table';

/** "experiment-name (id)" for messages and tables. */
export function experimentLabel(experiments: ReadonlyMap<string, Experiment>, id: string): string {
  return experiments.get(id)?.name ?? id;
}
