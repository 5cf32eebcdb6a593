import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { writeFileAtomic } from '@graphtrace/config';
import {
  type Experiment,
  parseFilter,
  parseOrderBy,
  type Trace,
  type TraceInfo,
  TraceMetadataKey,
} from '@graphtrace/core';
import type { Command } from 'commander';
import type { App } from '../app.js';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import type { Colors } from '../output/colors.js';
import { formatCount, formatDuration, formatTime, formatUsd, plural } from '../output/format.js';
import {
  assessmentJson,
  mlflowTraceJson,
  spanViewJson,
  traceCost,
  traceInfoViewJson,
  traceName,
  traceTokenUsage,
} from '../output/json-shapes.js';
import { renderFields, renderTable } from '../output/table.js';
import { renderTraceTree, treeRows } from '../output/trace-tree.js';
import { collect, collectSearch, JSON_HELP, type LsOptions, parseLimit } from './shared.js';

const stateStyle = (text: string, info: TraceInfo, c: Colors) =>
  info.state === 'ERROR' ? c.red(text) : info.state === 'OK' ? c.green(text) : c.yellow(text);

function tokensText(info: TraceInfo): string {
  const u = traceTokenUsage(info);
  return u ? formatCount(u.total_tokens) : '-';
}

function notFound(id: string, uri: string): CliError {
  return new CliError(
    'NOT_FOUND',
    `trace '${id}' not found in ${uri}; list traces with \`graphtrace traces ls\``,
  );
}

/** Reads every trace named, failing (before any output) on the first that does not exist. */
async function getTraces(ctx: CliContext, ids: readonly string[]): Promise<Trace[]> {
  return ctx.withStore(
    async (store) => {
      const out: Trace[] = [];
      for (const id of ids) {
        const trace = await store.getTrace(id);
        if (!trace) throw notFound(id, store.uri);
        out.push(trace);
      }
      return out;
    },
    { mustExist: true },
  );
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({
    input: ctx.io.stdin,
    output: ctx.out.stderr as NodeJS.WritableStream,
  });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerTracesCommand(program: Command, app: App): void {
  const traces = program
    .command('traces')
    .description('list, show, export and delete traces')
    .addHelpText(
      'after',
      '\nExamples:\n  $ graphtrace traces ls\n  $ graphtrace traces show <trace_id>\n  $ graphtrace traces export <trace_id> --out trace.json\n',
    );

  traces
    .command('ls')
    .alias('list')
    .description('list traces, newest first')
    .option('--experiment <name|id>', 'only this experiment (repeatable); default: all', collect)
    .option(
      '--filter <expr>',
      "MLflow filter, e.g. \"attributes.status = 'ERROR' AND tags.env = 'prod'\"",
    )
    .option(
      '--order-by <term>',
      'e.g. "execution_time_ms DESC" (repeatable); default: timestamp_ms DESC',
      collect,
    )
    .option('--limit <n>', 'show at most n traces', parseLimit, 100)
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Filter entities: attributes (status, name, timestamp_ms, execution_time_ms, run_id,
trace_id, client_request_id), tags.<key>, metadata.<key>; comparisons joined by AND.

Examples:
  $ graphtrace traces ls --limit 20
  $ graphtrace traces ls --experiment my_agent --filter "attributes.status = 'ERROR'"
  $ graphtrace traces ls --order-by "execution_time_ms DESC" --limit 5
  $ graphtrace traces ls --json | jq -r '.traces[].trace_id'`,
    )
    .action(async (options: LsOptions, command: Command) => {
      const ctx = app.context(command);
      parseFilter(options.filter, 'traces');
      parseOrderBy(options.orderBy, 'traces');
      const { found, experiments, more } = await ctx.withStore(
        (store) => collectSearch(store, options, 500, (query) => store.searchTraces(query)),
        { mustExist: true },
      );
      if (options.json) {
        ctx.out.json({ traces: found.map(traceInfoViewJson) });
        return;
      }
      if (found.length === 0) {
        ctx.out.info('no traces match');
        return;
      }
      const names = new Map<string, Experiment>(experiments.map((e) => [e.experimentId, e]));
      const previewWidth = Math.max(16, ctx.out.columns - 140);
      ctx.out.line(
        renderTable(
          found,
          [
            { header: 'TRACE ID', value: (t) => t.traceId },
            { header: 'NAME', value: traceName, max: 24 },
            { header: 'STATE', value: (t) => t.state, style: stateStyle },
            { header: 'STARTED', value: (t) => formatTime(t.requestTime) },
            {
              header: 'DURATION',
              value: (t) => formatDuration(t.executionDuration),
              align: 'right',
            },
            { header: 'TOKENS', value: tokensText, align: 'right' },
            { header: 'COST', value: (t) => formatUsd(traceCost(t)?.total_cost), align: 'right' },
            {
              header: 'EXPERIMENT',
              value: (t) => names.get(t.experimentId)?.name ?? t.experimentId,
              max: 20,
            },
            { header: 'REQUEST', value: (t) => t.requestPreview ?? '', max: previewWidth },
          ],
          ctx.out.color,
        ),
      );
      if (more) ctx.out.info(`showing the first ${found.length}; raise --limit to see more`);
    });

  traces
    .command('show')
    .description(
      'show a trace as a span tree with types, durations, timing bars, tokens, costs and errors',
    )
    .argument('<trace_id>', 'the trace id (tr-…)')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ graphtrace traces show tr-62bfded311b2d407e6552b413823920b
  $ graphtrace traces show tr-62bfded311b2d407e6552b413823920b --json | jq '.spans[] | {name, duration_ms}'`,
    )
    .action(async (traceId: string, options: { json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const { t, experiment, assessments } = await ctx.withStore(
        async (store) => {
          const t = await store.getTrace(traceId);
          if (!t) throw notFound(traceId, store.uri);
          return {
            t,
            experiment: await store.getExperiment(t.info.experimentId),
            assessments: store.capabilities.assessments ? await store.getAssessments(traceId) : [],
          };
        },
        { mustExist: true },
      );
      if (options.json) {
        const rows = treeRows(t.spans);
        const depth = new Map<string, number>();
        for (const r of rows) {
          const parent = r.span.parentSpanId === null ? undefined : depth.get(r.span.parentSpanId);
          depth.set(r.span.spanId, parent === undefined ? 0 : parent + 1);
        }
        ctx.out.json({
          info: traceInfoViewJson(t.info),
          spans: rows.map((r) => spanViewJson(r.span, depth.get(r.span.spanId) ?? 0)),
          assessments: assessments.map(assessmentJson),
        });
        return;
      }
      const c = ctx.out.color;
      const i = t.info;
      const usage = traceTokenUsage(i);
      const cost = traceCost(i);
      const fields: [string, string][] = [
        ['trace', `${c.bold(i.traceId)}  ${traceName(i)}`],
        ['state', stateStyle(i.state, i, c)],
        ['started', formatTime(i.requestTime)],
        ['duration', formatDuration(i.executionDuration)],
        ['experiment', experiment ? `${experiment.name} (${i.experimentId})` : i.experimentId],
      ];
      const run = i.traceMetadata[TraceMetadataKey.SOURCE_RUN];
      if (run) fields.push(['run', run]);
      const session = i.traceMetadata[TraceMetadataKey.SESSION];
      if (session) fields.push(['session', session]);
      if (usage)
        fields.push([
          'tokens',
          `${formatCount(usage.input_tokens)} in / ${formatCount(usage.output_tokens)} out (${formatCount(usage.total_tokens)} total)`,
        ]);
      // A trace with model calls but no cost has models of unknown price: `-`, never $0.
      if (cost)
        fields.push([
          'cost',
          `${formatUsd(cost.input_cost)} in / ${formatUsd(cost.output_cost)} out (${formatUsd(cost.total_cost)} total)`,
        ]);
      else if (usage) fields.push(['cost', formatUsd(null)]);
      fields.push(['spans', String(t.spans.length)]);
      ctx.out.line(renderFields(fields, c));
      ctx.out.line();
      ctx.out.line(renderTraceTree(t, { colors: c, width: ctx.out.columns }));
      if (assessments.length > 0) {
        ctx.out.line();
        ctx.out.line(c.bold(`Assessments (${assessments.length})`));
        ctx.out.line(
          renderTable(
            assessments,
            [
              { header: 'NAME', value: (a) => a.name },
              { header: 'VALUE', value: (a) => JSON.stringify(a.value) ?? '', max: 40 },
              { header: 'SOURCE', value: (a) => `${a.source.sourceType} ${a.source.sourceId}` },
              { header: 'RATIONALE', value: (a) => a.rationale ?? '', max: 60 },
            ],
            c,
          ),
        );
      }
    });

  traces
    .command('export')
    .description('write traces as MLflow trace JSON (Trace.to_json()), one trace per line')
    .argument('<trace_id...>', 'trace ids (tr-…)')
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      `
Each line is one trace, {"info": …, "data": {"spans": […]}}, readable by MLflow's
mlflow.entities.Trace.from_json(). A single trace is a one-line JSON document.

Examples:
  $ graphtrace traces export tr-62bfded311b2d407e6552b413823920b > trace.json
  $ graphtrace traces export tr-aaa… tr-bbb… --out traces.jsonl`,
    )
    .action(async (ids: string[], options: { out?: string }, command: Command) => {
      const ctx = app.context(command);
      const found = await getTraces(ctx, ids);
      const text = found.map((t) => `${mlflowTraceJson(t)}\n`).join('');
      if (options.out === undefined) {
        ctx.out.write(text);
        return;
      }
      const path = resolve(ctx.cwd, options.out);
      try {
        // Atomic: a full disk must not leave a truncated export in place of the previous file.
        await writeFileAtomic(path, text);
      } catch (err) {
        throw new CliError(
          'WRITE_FAILED',
          `cannot write ${path}: ${(err as Error).message}; the previous content of the file, if any, is unchanged`,
        );
      }
      ctx.out.info(`wrote ${plural(found.length, 'trace')} to ${options.out}`);
    });

  traces
    .command('rm')
    .alias('delete')
    .description('delete traces')
    .argument('<trace_id...>', 'trace ids (tr-…)')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Nothing is deleted unless every trace exists.

Examples:
  $ graphtrace traces rm tr-62bfded311b2d407e6552b413823920b
  $ graphtrace traces ls --json | jq -r '.traces[].trace_id' | xargs graphtrace traces rm --yes`,
    )
    .action(async (ids: string[], options: { yes?: boolean; json?: boolean }, command: Command) => {
      const ctx = app.context(command);
      const unique = [...new Set(ids)];
      const deleted = await ctx.withStore(
        async (store) => {
          if (!store.capabilities.deleteTraces)
            throw new CliError('UNSUPPORTED', `${store.uri} cannot delete traces`);
          const byExperiment = new Map<string, string[]>();
          for (const id of unique) {
            const info = await store.getTraceInfo(id);
            if (!info) {
              throw new CliError(
                'NOT_FOUND',
                `trace '${id}' not found in ${store.uri}; nothing was deleted`,
              );
            }
            byExperiment.set(info.experimentId, [
              ...(byExperiment.get(info.experimentId) ?? []),
              id,
            ]);
          }
          if (!options.yes) {
            const interactive = ctx.io.stdin.isTTY === true && ctx.out.stderrIsTTY;
            if (!interactive) {
              throw usageError(
                `refusing to delete ${plural(unique.length, 'trace')} without confirmation: not on a terminal, so pass --yes`,
                'CONFIRMATION_REQUIRED',
              );
            }
            if (
              !(await confirm(ctx, `Delete ${plural(unique.length, 'trace')} from ${store.uri}?`))
            )
              throw new CliError('ABORTED', 'nothing was deleted');
          }
          let n = 0;
          for (const [experimentId, traceIds] of byExperiment)
            n += await store.deleteTraces({ experimentId, traceIds });
          return n;
        },
        { mustExist: true },
      );
      if (options.json) ctx.out.json({ deleted, trace_ids: unique });
      else ctx.out.line(`deleted ${plural(deleted, 'trace')}`);
    });
}
