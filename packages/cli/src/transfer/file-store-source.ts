import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Metric,
  RUN_STATUSES,
  type RunInfo,
  type RunStatus,
  type Span,
  type TraceInfo,
  type TraceState,
  TraceTagKey,
} from '@graphtrace/core';
import { spanFromMlflowJson } from '@graphtrace/core/store-kit';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../errors.js';
import type { SkippedItem, SourceExperiment, SourceRunData, TransferSource } from './source.js';

/**
 * Reads an MLflow FileStore directory (`file://./mlruns`), laid out as MLflow 3.9's
 * `mlflow/store/tracking/file_store.py` writes it:
 *
 *   <root>/<experiment_id>/meta.yaml                 experiment (name, lifecycle_stage, …)
 *   <root>/<experiment_id>/tags/<key>                experiment tags, one file per key
 *   <root>/<experiment_id>/<run_id>/meta.yaml        run info (status as an enum number)
 *   <root>/<experiment_id>/<run_id>/params/<key>     the value
 *   <root>/<experiment_id>/<run_id>/metrics/<key>    lines "timestamp value step"
 *   <root>/<experiment_id>/<run_id>/tags/<key>       the value
 *   <root>/<experiment_id>/traces/<trace_id>/trace_info.yaml, request_metadata/<key>, tags/<key>
 *   <trace artifact location>/traces.json            {"spans": [MLflow span JSON…]}
 *   <root>/.trash/<experiment_id>/…                  deleted experiments
 *
 * Keys containing `/` are nested directories. Nothing is written to the directory.
 */

// Subdirectories of an experiment that are not runs.
const EXPERIMENT_SUBDIRS = new Set(['tags', 'traces', 'datasets', 'models', '.trash']);
// MLflow's RunStatus proto enum, as meta.yaml stores it.
const RUN_STATUS_BY_NUMBER: Record<number, RunStatus> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};
const TRACE_STATES = new Set<TraceState>(['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED']);

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

async function readYaml(path: string): Promise<Record<string, unknown>> {
  const value = parseYaml(await readFile(path, 'utf8')) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${path} is not a YAML mapping`);
  return value as Record<string, unknown>;
}

/** key -> file content for every file below `dir`; nested directories make `a/b` keys. */
async function readKeyFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (current: string, prefix: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const key = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) await walk(join(current, e.name), key);
      else if (e.isFile()) out.set(key, await readFile(join(current, e.name), 'utf8'));
    }
  };
  await walk(dir, '');
  return out;
}

function str(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return String(value);
}

function num(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Python's float(): also `nan`, `inf`, `-inf`, `infinity`. */
export function parsePythonFloat(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity')
    return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return n;
}

/** Lines "timestamp value [step [dataset_name dataset_digest]]" of a metric file. */
export function parseMetricLines(key: string, text: string): Metric[] {
  const out: Metric[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) throw new Error(`metric ${key}: malformed line ${JSON.stringify(line)}`);
    out.push({
      key,
      timestamp: Number.parseInt(parts[0]!, 10),
      value: parsePythonFloat(parts[1]!),
      step: parts.length >= 3 ? Number.parseInt(parts[2]!, 10) : 0,
    });
  }
  return out;
}

function runStatus(value: unknown): RunStatus {
  if (typeof value === 'number') return RUN_STATUS_BY_NUMBER[value] ?? 'RUNNING';
  const s = String(value ?? 'RUNNING').toUpperCase();
  return (RUN_STATUSES as readonly string[]).includes(s) ? (s as RunStatus) : 'RUNNING';
}

/** ms since epoch of a protobuf JSON timestamp (`2026-11-26T13:39:06.091Z`) or a number. */
function timestampMs(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (value instanceof Date) return value.getTime();
  return null;
}

/** ms of `execution_duration_ms: 56` or a protobuf Duration (`"0.056s"`). */
function durationMs(d: Record<string, unknown>): number | null {
  const direct = num(d.execution_duration_ms ?? d.execution_time_ms);
  if (direct !== null) return direct;
  const duration = d.execution_duration;
  if (typeof duration === 'string' && /^[\d.]+s$/.test(duration))
    return Math.round(Number(duration.slice(0, -1)) * 1000);
  return num(duration);
}

interface ExperimentEntry extends SourceExperiment {
  dir: string;
}

export function fileStoreSource(root: string): TransferSource {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CliError(
      'NOT_FOUND',
      `${root} is not a directory; name the mlruns directory of an MLflow FileStore`,
    );
  }
  const skipped: SkippedItem[] = [];
  const runDirs = new Map<string, string>();
  const traceDirs = new Map<string, string>();
  let experiments: ExperimentEntry[] | undefined;

  return {
    description: root,
    skipped,
    async experiments() {
      if (experiments) return experiments;
      experiments = [];
      for (const name of await listDirs(root)) {
        if (name === '.trash' || name === 'models') continue;
        const dir = join(root, name);
        if (!existsSync(join(dir, 'meta.yaml'))) continue;
        let meta: Record<string, unknown>;
        try {
          meta = await readYaml(join(dir, 'meta.yaml'));
        } catch (err) {
          skipped.push({
            kind: 'experiment',
            id: name,
            reason: `unreadable meta.yaml: ${(err as Error).message}`,
            failed: true,
          });
          continue;
        }
        const id = str(meta.experiment_id) ?? name;
        if (meta.lifecycle_stage === 'deleted') {
          skipped.push({ kind: 'experiment', id, reason: 'deleted', failed: false });
          continue;
        }
        const expName = str(meta.name);
        if (expName === undefined || expName === '') {
          skipped.push({ kind: 'experiment', id, reason: 'meta.yaml has no name', failed: true });
          continue;
        }
        experiments.push({
          id,
          name: expName,
          tags: Object.fromEntries(await readKeyFiles(join(dir, 'tags'))),
          dir,
        });
      }
      for (const name of await listDirs(join(root, '.trash')))
        skipped.push({
          kind: 'experiment',
          id: name,
          reason: 'deleted (in .trash)',
          failed: false,
        });
      if (experiments.length === 0 && skipped.length === 0) {
        throw new CliError(
          'NOT_FOUND',
          `${root} holds no MLflow experiments (no <id>/meta.yaml); name the mlruns directory of an MLflow FileStore`,
        );
      }
      return experiments;
    },

    async runs(experiment: SourceExperiment) {
      const dir = (experiment as ExperimentEntry).dir;
      const out: RunInfo[] = [];
      for (const name of await listDirs(dir)) {
        if (EXPERIMENT_SUBDIRS.has(name)) continue;
        const runDir = join(dir, name);
        if (!existsSync(join(runDir, 'meta.yaml'))) continue;
        let meta: Record<string, unknown>;
        try {
          meta = await readYaml(join(runDir, 'meta.yaml'));
        } catch (err) {
          skipped.push({
            kind: 'run',
            id: name,
            reason: `unreadable meta.yaml: ${(err as Error).message}`,
            failed: true,
          });
          continue;
        }
        const runId = str(meta.run_id) ?? str(meta.run_uuid) ?? name;
        if (!/^[0-9a-f]{32}$/.test(runId)) {
          skipped.push({
            kind: 'run',
            id: runId,
            reason: 'not a 32-hex MLflow run id',
            failed: true,
          });
          continue;
        }
        if (meta.lifecycle_stage === 'deleted') {
          skipped.push({ kind: 'run', id: runId, reason: 'deleted', failed: false });
          continue;
        }
        runDirs.set(runId, runDir);
        out.push({
          runId,
          experimentId: experiment.id,
          runName: str(meta.run_name) ?? str(meta.name) ?? '',
          userId: str(meta.user_id) ?? '',
          status: runStatus(meta.status),
          startTime: num(meta.start_time) ?? 0,
          endTime: num(meta.end_time),
          artifactUri: str(meta.artifact_uri) ?? '',
          lifecycleStage: 'active',
        });
      }
      return out.sort((a, b) => a.startTime - b.startTime);
    },

    async loadRun(info: RunInfo): Promise<SourceRunData> {
      const dir = runDirs.get(info.runId)!;
      const params = [...(await readKeyFiles(join(dir, 'params')))].map(([key, value]) => ({
        key,
        value,
      }));
      const tags = [...(await readKeyFiles(join(dir, 'tags')))].map(([key, value]) => ({
        key,
        value,
      }));
      // Older FileStores kept the run name only in meta.yaml.
      if (info.runName !== '' && !tags.some((t) => t.key === 'mlflow.runName'))
        tags.push({ key: 'mlflow.runName', value: info.runName });
      const metrics: Metric[] = [];
      for (const [key, text] of await readKeyFiles(join(dir, 'metrics')))
        metrics.push(...parseMetricLines(key, text));
      return { params, tags, metrics };
    },

    async traces(experiment: SourceExperiment) {
      const tracesDir = join((experiment as ExperimentEntry).dir, 'traces');
      const out: TraceInfo[] = [];
      for (const name of await listDirs(tracesDir)) {
        const dir = join(tracesDir, name);
        if (!existsSync(join(dir, 'trace_info.yaml'))) continue;
        let d: Record<string, unknown>;
        try {
          d = await readYaml(join(dir, 'trace_info.yaml'));
        } catch (err) {
          skipped.push({
            kind: 'trace',
            id: name,
            reason: `unreadable trace_info.yaml: ${(err as Error).message}`,
            failed: true,
          });
          continue;
        }
        // V3 (MLflow 3) writes trace_id/request_time/state; V2 (2.14+) request_id/timestamp_ms/status.
        const traceId = str(d.trace_id) ?? str(d.request_id) ?? name;
        const requestTime = timestampMs(d.request_time ?? d.timestamp_ms);
        if (!/^tr-[0-9a-f]{32}$/.test(traceId) || requestTime === null) {
          skipped.push({
            kind: 'trace',
            id: traceId,
            reason: 'trace_info.yaml lacks a tr- id or a request time',
            failed: true,
          });
          continue;
        }
        const rawState = String(d.state ?? d.status ?? 'STATE_UNSPECIFIED').toUpperCase();
        const state: TraceState = TRACE_STATES.has(rawState as TraceState)
          ? (rawState as TraceState)
          : rawState === 'UNSPECIFIED'
            ? 'STATE_UNSPECIFIED'
            : 'STATE_UNSPECIFIED';
        traceDirs.set(traceId, dir);
        out.push({
          traceId,
          clientRequestId: str(d.client_request_id) ?? null,
          experimentId: experiment.id,
          requestTime,
          executionDuration: durationMs(d),
          state,
          requestPreview: str(d.request_preview) ?? null,
          responsePreview: str(d.response_preview) ?? null,
          traceMetadata: Object.fromEntries(await readKeyFiles(join(dir, 'request_metadata'))),
          tags: Object.fromEntries(await readKeyFiles(join(dir, 'tags'))),
        });
      }
      return out.sort((a, b) => a.requestTime - b.requestTime);
    },

    async loadSpans(info: TraceInfo): Promise<Span[]> {
      const dir = traceDirs.get(info.traceId)!;
      const candidates = [join(dir, 'artifacts', 'traces.json')];
      const location = info.tags[TraceTagKey.ARTIFACT_LOCATION];
      if (location?.startsWith('file:')) {
        try {
          candidates.unshift(join(fileURLToPath(location), 'traces.json'));
        } catch {
          // not a local file URI: the default place is still tried
        }
      }
      const path = candidates.find((p) => existsSync(p));
      // A trace whose spans were never written (or were kept elsewhere) is copied without them.
      if (path === undefined) return [];
      const text = await readFile(path, 'utf8');
      // ns times exceed 2^53: quote them before JSON.parse sees them, as core's decoder does.
      const data = JSON.parse(
        text.replace(
          /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano)"\s*:\s*(-?\d+)/g,
          '"$1":"$2"',
        ),
      ) as { spans?: unknown[] };
      return (data.spans ?? []).map((s) => spanFromMlflowJson(JSON.stringify(s)));
    },

    async close() {},
  };
}
