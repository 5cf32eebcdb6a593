import type { Command } from 'commander';
import type { App } from '../app.js';
import { filterExperiments } from '../filter/experiment-filter.js';
import { formatTime } from '../output/format.js';
import { experimentJson } from '../output/json-shapes.js';
import { renderTable } from '../output/table.js';
import { allExperiments, collect, JSON_HELP, parseLimit } from './shared.js';

interface LsOptions {
  filter?: string;
  orderBy?: string[];
  limit: number;
  json?: boolean;
}

export function registerExperimentsCommand(program: Command, app: App): void {
  const experiments = program
    .command('experiments')
    .description('list experiments')
    .addHelpText('after', '\nExamples:\n  $ graphtrace experiments ls\n');

  experiments
    .command('ls')
    .alias('list')
    .description('list active experiments')
    .option(
      '--filter <expr>',
      "MLflow filter, e.g. \"name LIKE 'agent%' AND tags.team = 'search'\"",
    )
    .option(
      '--order-by <term>',
      'e.g. "creation_time DESC" (repeatable); default: by name',
      collect,
    )
    .option('--limit <n>', 'show at most n experiments', parseLimit, 100)
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
Filter attributes: name, experiment_id, creation_time, last_update_time; tags.<key>.

Examples:
  $ graphtrace experiments ls
  $ graphtrace experiments ls --filter "name LIKE '%agent%'" --order-by "creation_time DESC"
  $ graphtrace experiments ls --json | jq -r '.experiments[].name'`,
    )
    .action(async (options: LsOptions, command: Command) => {
      const ctx = app.context(command);
      // Validate before touching the store, so a typo is a usage error even offline.
      filterExperiments([], options.filter, options.orderBy);
      const all = await ctx.withStore((store) => allExperiments(store), { mustExist: true });
      const selected = filterExperiments(all, options.filter, options.orderBy);
      const shown = selected.slice(0, options.limit);
      if (options.json) {
        ctx.out.json({ experiments: shown.map(experimentJson) });
        return;
      }
      if (shown.length === 0) {
        ctx.out.info('no experiments match');
        return;
      }
      ctx.out.line(
        renderTable(
          shown,
          [
            { header: 'ID', value: (e) => e.experimentId, align: 'right' },
            { header: 'NAME', value: (e) => e.name, max: 48 },
            { header: 'CREATED', value: (e) => formatTime(e.creationTime) },
            { header: 'ARTIFACT LOCATION', value: (e) => e.artifactLocation, max: 60 },
          ],
          ctx.out.color,
        ),
      );
      if (selected.length > shown.length)
        ctx.out.info(`showing ${shown.length} of ${selected.length}; raise --limit to see more`);
    });
}
