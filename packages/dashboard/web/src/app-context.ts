import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ExperimentSummary, HealthResponse } from '../../src/api/types.js';

export interface AppState {
  health: HealthResponse;
  experiments: ExperimentSummary[];
  /** The experiment every page shows. */
  experiment: ExperimentSummary | null;
  /** Shows another experiment (that of a trace or run a page opened). */
  selectExperiment(experimentId: string): void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the app');
  return state;
}

export const RANGES = ['1h', '24h', '7d', '30d', 'all'] as const;
export type RangeKey = (typeof RANGES)[number];

const SPANS: Record<Exclude<RangeKey, 'all'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

export function rangeKey(value: string | null): RangeKey {
  return (RANGES as readonly string[]).includes(value ?? '') ? (value as RangeKey) : '24h';
}

/**
 * The [from, to) of a range preset. Ends are rounded to the minute so that revisiting a page
 * asks the same question (and the server's short cache answers it). `all` spans the
 * experiment's traces.
 */
export function rangeBounds(
  key: RangeKey,
  experiment: ExperimentSummary | null,
  now = Date.now(),
): { from: number; to: number } {
  const minute = 60_000;
  if (key === 'all' && experiment?.firstTraceTime != null && experiment.lastTraceTime != null) {
    return {
      from: Math.floor(experiment.firstTraceTime / minute) * minute,
      to: Math.ceil((experiment.lastTraceTime + 1) / minute) * minute,
    };
  }
  const to = Math.ceil((now + 1) / minute) * minute;
  return { from: to - SPANS[key === 'all' ? '7d' : key], to };
}
