import type { ConfigIssue } from './errors.js';
import { OPTION_BY_PATH, OPTION_LEAVES } from './options.js';
import { setAt } from './plain-object.js';

/* The layers a configuration is merged from: defaults < file (or object) < env < overrides. */

/** Where an effective value came from. */
export type ConfigSource =
  | { kind: 'default' }
  | {
      kind: 'file';
      file: string;
      line?: number;
      column?: number;
      /** Where an MLflow 2.9-era file wrote it, when migrated (e.g. `mlflow.experiment`). */
      legacyPath?: string;
    }
  | { kind: 'object'; legacyPath?: string }
  | { kind: 'env'; variable: string }
  | { kind: 'override' };

/** One layer's values by option dot-path, each with where it came from. */
export type LayerValues = Map<string, { value: unknown; source: ConfigSource }>;

/** What loading found so far; every step appends to it. */
export interface LoadIssues {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Things the user should do, e.g. import an old FileStore. */
  notes: string[];
}

/** Effective dot-path -> origin: the last layer that sets it, else the default if it has one. */
export function collectSources(layers: readonly LayerValues[]): Record<string, ConfigSource> {
  const sources: Record<string, ConfigSource> = {};
  for (const leaf of OPTION_LEAVES) {
    for (let i = layers.length - 1; i >= 0; i--) {
      const hit = layers[i]!.get(leaf.path);
      if (hit !== undefined) {
        sources[leaf.path] = hit.source;
        break;
      }
    }
    if (sources[leaf.path] === undefined && leaf.declared.def.type === 'default') {
      sources[leaf.path] = { kind: 'default' };
    }
  }
  return sources;
}

/** The layers' values as one `observability.mlflow` object, later layers winning. */
export function mergeLayers(layers: readonly LayerValues[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [path, { value }] of layer) setAt(merged, OPTION_BY_PATH.get(path)!.segments, value);
  }
  return merged;
}
