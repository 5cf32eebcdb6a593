import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveSqlitePath, tryParseTrackingUri } from '@graphtrace/config';
import { type SyncSpoolResult, syncSpool, type TrackingStore } from '@graphtrace/core';
import { countTraces } from '@graphtrace/core/store-kit';
import { SPOOL_PATH, spoolUri } from '@graphtrace/setup';
import type { Command } from 'commander';
import type { App } from '../app.js';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { plural } from '../output/format.js';
import { progressBar } from '../output/progress.js';
import { renderFields } from '../output/table.js';
import { transfer } from '../transfer/copy.js';
import { storeSource } from '../transfer/store-source.js';
import { checkTargetUri } from './import.js';
import { collect, JSON_HELP } from './shared.js';
import { failIfIncomplete, printTransfer, skippedLines, transferJson } from './transfer-report.js';

/** Where the resilient store keeps traces a server could not take (relative to the cwd). */
const SPOOL_BATCH = 25;

interface SyncOptions {
  from: string;
  to?: string;
  experiment?: string[];
  keep?: boolean;
  json?: boolean;
}

/** Same store on both sides? (sqlite paths compared after resolving.) */
function sameStore(a: string, b: string, cwd: string): boolean {
  const pa = tryParseTrackingUri(a);
  const pb = tryParseTrackingUri(b);
  if (!pa.ok || !pb.ok) return a === b;
  if (pa.value.scheme === 'sqlite' && pb.value.scheme === 'sqlite')
    return resolveSqlitePath(pa.value, cwd) === resolveSqlitePath(pb.value, cwd);
  if (pa.value.scheme === 'memory' || pb.value.scheme === 'memory') return false;
  return 'url' in pa.value && 'url' in pb.value && pa.value.url === pb.value.url;
}

/** Replays the spool in small rounds so the progress bar moves; each round is syncSpool's. */
async function replaySpool(
  ctx: CliContext,
  spool: TrackingStore,
  target: TrackingStore,
  keep: boolean,
) {
  const total = await countTraces(spool);
  const progress = progressBar(ctx.out, 'replaying');
  const failed = new Map<string, string>();
  const sum = { traces: 0, spans: 0, alreadyPresent: 0, remaining: 0 };
  progress.start(total);
  try {
    if (keep) {
      const r = await syncSpool({ from: spool, to: target, keep: true });
      add(r);
      for (let i = 0; i < r.traces; i++) progress.tick('');
    } else {
      for (;;) {
        const r: SyncSpoolResult = await syncSpool({
          from: spool,
          to: target,
          maxTraces: SPOOL_BATCH,
        });
        add(r);
        for (let i = 0; i < r.traces; i++) progress.tick('');
        // Done, or only traces that keep failing are left.
        if (r.remaining === 0 || r.traces === 0) break;
      }
    }
  } finally {
    progress.stop();
  }
  function add(r: SyncSpoolResult) {
    sum.traces += r.traces;
    sum.spans += r.spans;
    sum.alreadyPresent += r.alreadyPresent;
    sum.remaining = r.remaining;
    for (const f of r.failed) failed.set(f.traceId, f.error);
  }
  return { ...sum, failed };
}

export function registerSyncCommand(program: Command, app: App): void {
  program
    .command('sync')
    .description('replay the outage spool into the tracking server, or copy one store into another')
    .option('--from <spool|uri>', `"spool" (${SPOOL_PATH}) or a store URI`, 'spool')
    .option('--to <uri>', 'target store (default: the tracking URI)')
    .option(
      '--experiment <name|id>',
      'copy only this experiment (repeatable; store copies only)',
      collect,
    )
    .option('--keep', 'leave replayed traces in the spool (default: they are removed once copied)')
    .option('--json', JSON_HELP)
    .addHelpText(
      'after',
      `
--from spool moves the traces a program spooled while its MLflow server was away into the
server (or --to). --from <uri> copies experiments (by name), runs (with params, metric
history and tags) and traces (with spans) into --to. Both skip what the target already has
(runs and traces by id), so running again copies nothing new.

Examples:
  $ graphtrace sync                                              replay the spool
  $ graphtrace sync --from sqlite:///mlflow.db --to http://localhost:5000
  $ graphtrace sync --from http://old:5000 --to sqlite:///backup.db --experiment my_agent`,
    )
    .action(async (options: SyncOptions, command: Command) => {
      const ctx = app.context(command);
      if (options.to !== undefined) checkTargetUri(options.to, '--to');
      const isSpool = options.from === 'spool';
      if (!isSpool) {
        const parsed = tryParseTrackingUri(options.from);
        if (!parsed.ok) {
          throw usageError(
            parsed.legacy
              ? `--from: ${options.from} is an MLflow FileStore; import it with \`graphtrace import mlruns <dir>\``
              : `--from: ${parsed.message}`,
            'INVALID_URI',
          );
        }
      }
      const fromUri = isSpool ? spoolUri(ctx.cwd) : options.from;
      const to = options.to ?? ctx.trackingUri().uri;
      if (sameStore(fromUri, to, ctx.cwd))
        throw usageError(`--from and --to name the same store (${to}); pick another --to`);

      if (isSpool) {
        if (options.experiment)
          throw usageError('--experiment applies to store copies, not to the spool');
        if (!existsSync(resolve(ctx.cwd, SPOOL_PATH))) {
          if (options.json)
            ctx.out.json({
              mode: 'spool',
              source: SPOOL_PATH,
              target: to,
              traces: { copied: 0, existing: 0 },
              spans: 0,
              failed: [],
              remaining: 0,
            });
          else ctx.out.line(`no spool at ${SPOOL_PATH}: nothing to replay`);
          return;
        }
        const spool = await ctx.openStore({
          uri: fromUri,
          mustExist: true,
          flag: '--from',
          precheck: true,
        });
        try {
          const r = await ctx.withStore(
            (target) => replaySpool(ctx, spool, target, options.keep === true),
            { uri: to, flag: '--to', precheck: true },
          );
          const failed = [...r.failed].map(([trace_id, error]) => ({ trace_id, error }));
          if (options.json) {
            ctx.out.json({
              mode: 'spool',
              source: SPOOL_PATH,
              target: to,
              traces: { copied: r.traces - r.alreadyPresent, existing: r.alreadyPresent },
              spans: r.spans,
              failed,
              remaining: r.remaining,
            });
          } else {
            ctx.out.line(`replayed ${SPOOL_PATH} into ${to}`);
            ctx.out.line(
              renderFields(
                [
                  [
                    'traces',
                    `${r.traces - r.alreadyPresent} copied, ${r.alreadyPresent} already there`,
                  ],
                  ['spans', String(r.spans)],
                  ['failed', String(failed.length)],
                  ['left in spool', String(r.remaining + failed.length)],
                ],
                ctx.out.color,
              ),
            );
            const items = failed.map((f) => ({
              kind: 'trace' as const,
              id: f.trace_id,
              reason: f.error,
              failed: true,
            }));
            for (const line of skippedLines(items, ctx.out.color, `written to ${to}`))
              ctx.out.line(line);
          }
          if (failed.length > 0)
            throw new CliError(
              'SYNC_FAILED',
              `${plural(failed.length, 'trace')} stay in the spool (listed above); run \`graphtrace sync\` again once the cause is fixed`,
            );
        } finally {
          await spool.close();
        }
        return;
      }

      const source = storeSource(
        await ctx.openStore({ uri: fromUri, mustExist: true, flag: '--from', precheck: true }),
      );
      try {
        const summary = await ctx.withStore(
          (target) =>
            transfer(source, target, {
              ...(options.experiment ? { experiments: options.experiment } : {}),
              progress: progressBar(ctx.out, 'copying'),
            }),
          { uri: to, flag: '--to', precheck: true },
        );
        if (options.json) ctx.out.json({ mode: 'copy', ...transferJson(summary) });
        else printTransfer(ctx, summary, 'copied');
        failIfIncomplete(summary, 'copied');
      } finally {
        await source.close();
      }
    });
}
