import {
  type Experiment,
  type Metric,
  parseFilter,
  parseOrderBy,
  type Run,
} from '@graphtrace/core';
import type { Command } from 'commander';
import type { App } from '../app.js';
import { CliError } from '../errors.js';
import { formatDuration, formatTime } from '../output/format.js';
import { metricJson, runJson } from '../output/json-shapes.js';
import { renderFields, renderTable } from '../output/table.js';
import { collect, collectSearch, JSON_HELP, type LsOptions, parseLimit } from './shared.js';

const statusStyle = (text: string, run: Run, c: import('../output/colors.js').Colors) =>
  run.info.status === 'FAILED' || run.info.status === 'KILLED'
    ? c.red(text)
    : run.info.status === 'RUNNING'
      ? c.yellow(text)
      : c.green(text);

function formatMetric(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

export function registerRunsCommand(program: Command, app: App): void {
  const runs = program
    .command('runs')
    .description('list and show runs')
    .addHelpText(
      'after',
      '\nExamples:\n  $ graphtrace runs ls\n  $ graphtrace runs show <run_id>\n',
    );

  runs
    .command('ls')
    .alias('list')
    .description('list runs, newest first')
    .option('--experiment <name|id>', 'only this experiment (repeatable); default: all', collect)
    .option(
      '--filter <expr>',
      'MLflow filter, e.g. "metrics.accuracy > 0.9 AND params.model = \'gpt-4o\'"',
    )
    .option(
      '--order-by <term>',
      'e.g. "metrics.accuracy DESC" (repeatable); default: start_time DESC',
      collect,
    )
    .option('--limit <n>', 'show at most n runs', parseLimit, 100)
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Filter entities: attributes (status, run_name, run_id, start_time, end_time, user_id),
params.<key>, metrics.<key>, tags.<key>; comparisons joined by AND.

Examples:
  $ graphtrace runs ls --experiment my_agent
  $ graphtrace runs ls --filter "metrics.accuracy > 0.9" --order-by "metrics.accuracy DESC"
  $ graphtrace runs ls --filter "attributes.status = 'FAILED'" --json`,
    )
    .action(async (options: LsOptions, command: Command) => {
      const ctx = app.context(command);
      parseFilter(options.filter, 'runs');
      parseOrderBy(options.orderBy, 'runs');
      const { found, experiments, more } = await ctx.withStore(
        (store) => collectSearch(store, options, 1000, (query) => store.searchRuns(query)),
        { mustExist: true },
      );
      if (options.json) {
        ctx.out.json({ runs: found.map(runJson) });
        return;
      }
      if (found.length === 0) {
        ctx.out.info('no runs match');
        return;
      }
      const names = new Map<string, Experiment>(experiments.map((e) => [e.experimentId, e]));
      ctx.out.line(
        renderTable(
          found,
          [
            { header: 'RUN ID', value: (r) => r.info.runId },
            { header: 'NAME', value: (r) => r.info.runName, max: 32 },
            { header: 'STATUS', value: (r) => r.info.status, style: statusStyle },
            { header: 'STARTED', value: (r) => formatTime(r.info.startTime) },
            {
              header: 'DURATION',
              align: 'right',
              value: (r) =>
                r.info.endTime === null ? '-' : formatDuration(r.info.endTime - r.info.startTime),
            },
            {
              header: 'EXPERIMENT',
              value: (r) => names.get(r.info.experimentId)?.name ?? r.info.experimentId,
              max: 32,
            },
          ],
          ctx.out.color,
        ),
      );
      if (more) ctx.out.info(`showing the first ${found.length}; raise --limit to see more`);
    });

  runs
    .command('show')
    .description('show one run: its params, latest metrics and tags')
    .argument('<run_id>', 'the 32-hex run id')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ graphtrace runs show 9944788a0caf4af9bb788d2e35830a90
  $ graphtrace runs show 9944788a0caf4af9bb788d2e35830a90 --json | jq .run.data.metrics`,
    )
    .action(async (runId: string, options: { json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const { run, experiment, history } = await ctx.withStore(
        async (store) => {
          const run = await store.getRun(runId);
          if (!run) {
            throw new CliError(
              'NOT_FOUND',
              `run '${runId}' not found in ${store.uri}; list runs with \`graphtrace runs ls\``,
            );
          }
          const experiment = await store.getExperiment(run.info.experimentId);
          const history: Record<string, Metric[]> = {};
          for (const m of run.data.metrics)
            history[m.key] = await store.getMetricHistory(runId, m.key);
          return { run, experiment, history };
        },
        { mustExist: true },
      );
      if (options.json) {
        const metricHistory: Record<string, ReturnType<typeof metricJson>[]> = {};
        for (const [k, list] of Object.entries(history)) metricHistory[k] = list.map(metricJson);
        ctx.out.json({ run: runJson(run), metric_history: metricHistory });
        return;
      }
      const c = ctx.out.color;
      const i = run.info;
      ctx.out.line(
        renderFields(
          [
            ['run id', i.runId],
            ['name', i.runName],
            ['experiment', `${experiment?.name ?? '?'} (${i.experimentId})`],
            ['status', statusStyle(i.status, run, c)],
            ['user', i.userId || '-'],
            ['started', formatTime(i.startTime)],
            ['ended', formatTime(i.endTime)],
            ['duration', i.endTime === null ? '-' : formatDuration(i.endTime - i.startTime)],
            ['artifacts', i.artifactUri || '-'],
          ],
          c,
        ),
      );
      const params = Object.entries(run.data.params).sort(([a], [b]) => a.localeCompare(b));
      ctx.out.line();
      ctx.out.line(c.bold(`Params (${params.length})`));
      if (params.length > 0)
        ctx.out.line(
          renderTable(
            params,
            [
              { header: 'KEY', value: ([k]) => k },
              { header: 'VALUE', value: ([, v]) => v, max: 80 },
            ],
            c,
          ),
        );
      const metrics = [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key));
      ctx.out.line();
      ctx.out.line(c.bold(`Metrics (${metrics.length})`));
      if (metrics.length > 0)
        ctx.out.line(
          renderTable(
            metrics,
            [
              { header: 'KEY', value: (m) => m.key },
              { header: 'LATEST', value: (m) => formatMetric(m.value), align: 'right' },
              { header: 'STEP', value: (m) => String(m.step), align: 'right' },
              {
                header: 'POINTS',
                value: (m) => String(history[m.key]?.length ?? 1),
                align: 'right',
              },
            ],
            c,
          ),
        );
      const tags = Object.entries(run.data.tags).sort(([a], [b]) => a.localeCompare(b));
      ctx.out.line();
      ctx.out.line(c.bold(`Tags (${tags.length})`));
      if (tags.length > 0)
        ctx.out.line(
          renderTable(
            tags,
            [
              {
                header: 'KEY',
                value: ([k]) => k,
                style: (t, [k]) => (k.startsWith('mlflow.') ? c.dim(t) : t),
              },
              { header: 'VALUE', value: ([, v]) => v, max: 80 },
            ],
            c,
          ),
        );
    });
}
