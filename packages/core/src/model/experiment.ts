export type LifecycleStage = 'active' | 'deleted';

/** An MLflow experiment. Ids are decimal strings, as MLflow's REST API returns them. */
export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  /** ms since epoch; null where the store did not record it (MLflow's Default experiment). */
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: Record<string, string>;
}

/** MLflow's Default experiment always has id 0. */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
