import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { plural } from '../output/format.js';
import { renderFields } from '../output/table.js';
import type { TransferSummary } from '../transfer/copy.js';

/** The `--json` shape of import and sync (JSON_OUTPUT.md). */
export function transferJson(s: TransferSummary) {
  return {
    source: s.source,
    target: s.target,
    experiments: { ...s.experiments },
    runs: { ...s.runs },
    traces: { ...s.traces },
    skipped: s.skipped.map((k) => ({ ...k })),
  };
}

/** What was copied and skipped, for a person. */
export function printTransfer(ctx: CliContext, s: TransferSummary, verb: string): void {
  const c = ctx.out.color;
  const counts = (n: { copied: number; existing: number }) =>
    `${c.bold(String(n.copied))} ${verb}, ${n.existing} already there`;
  ctx.out.line(`${verb} from ${s.source} into ${s.target}`);
  ctx.out.line(
    renderFields(
      [
        [
          'experiments',
          `${c.bold(String(s.experiments.created))} created, ${s.experiments.existing} already there`,
        ],
        ['runs', counts(s.runs)],
        ['traces', counts(s.traces)],
        ['skipped', String(s.skipped.length)],
      ],
      c,
    ),
  );
  for (const k of s.skipped)
    ctx.out.line(`  ${k.failed ? c.red('✗') : c.dim('-')} ${k.kind} ${k.id}: ${k.reason}`);
}

/** Exit 1 when something could not be copied (deleted items left out on purpose do not count). */
export function failIfIncomplete(s: TransferSummary, verb: string): void {
  const failed = s.skipped.filter((k) => k.failed);
  if (failed.length > 0) {
    throw new CliError(
      'TRANSFER_INCOMPLETE',
      `${plural(failed.length, 'item')} could not be ${verb} (see the summary); fix the cause and run again: what is already there is skipped`,
    );
  }
}
