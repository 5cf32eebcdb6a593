import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ExperimentSummary, ExperimentsResponse } from '../../src/api/types.js';
import { useApp } from './app-context.js';
import { href, navigate, type Route } from './router.js';

const EXPERIMENT_KEY = 'graphtrace.experiment';

export interface ExperimentChoice {
  experiment: ExperimentSummary | null;
  /** Shows this experiment from now on (an unknown id is ignored). */
  select(experimentId: string): void;
  /** The header picker: also drops a link's `?experiment=`, which would otherwise win. */
  pick(experimentId: string): void;
}

/**
 * The experiment every page shows: a link's own (`?experiment=`), else the one last chosen
 * (kept across visits), else the server's default. Pages are scoped to it, so a trace or run of
 * another experiment switches to its experiment (`useFollowExperiment`): otherwise its session
 * and its run's traces would be looked for in the wrong one, and found empty.
 */
export function useExperimentChoice(
  route: Route,
  list: ExperimentsResponse | undefined,
): ExperimentChoice {
  const [chosen, setChosen] = useState<string | null>(() => localStorage.getItem(EXPERIMENT_KEY));
  const linked = route.params.get('experiment');
  const find = (id: string | null) =>
    id === null ? undefined : list?.experiments.find((e) => e.experimentId === id);
  const known = useCallback(
    (id: string) => list?.experiments.some((e) => e.experimentId === id) ?? false,
    [list],
  );
  const select = useCallback(
    (id: string) => {
      if (!known(id)) return;
      localStorage.setItem(EXPERIMENT_KEY, id);
      setChosen(id);
    },
    [known],
  );
  // Kept once the link is left (the next page's URL does not carry it).
  useEffect(() => {
    if (linked) select(linked);
  }, [linked, select]);
  const experiment =
    find(linked) ??
    find(chosen) ??
    find(list?.defaultExperimentId ?? null) ??
    list?.experiments[0] ??
    null;
  const pick = (id: string) => {
    select(id);
    if (linked === null) return;
    const params: Record<string, string> = {};
    for (const [k, v] of route.params) if (k !== 'experiment') params[k] = v;
    navigate(href(route.segments, params), { replace: true });
  };
  return { experiment, select, pick };
}

/** Switches the dashboard to the experiment of what a page opened (a trace, a run). */
export function useFollowExperiment(experimentId: string | undefined): void {
  const { experiment, selectExperiment } = useApp();
  const current = experiment?.experimentId;
  // Only when what is open changes: a pick in the header afterwards is the user's to make.
  useEffect(() => {
    if (experimentId && experimentId !== current) selectExperiment(experimentId);
  }, [experimentId]);
}

/** The picker's text for an experiment: its name and how many traces it holds. */
export function experimentLabel(e: ExperimentSummary): string {
  return `${e.name} (${e.traces.toLocaleString('en-US')}${e.tracesExact ? '' : '+'} traces)`;
}
