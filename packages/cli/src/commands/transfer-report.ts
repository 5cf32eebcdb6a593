import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import type { Colors } from '../output/colors.js';
import { formatCount, plural } from '../output/format.js';
import { renderFields } from '../output/table.js';
import type { TransferSummary } from '../transfer/copy.js';
import type { SkippedItem } from '../transfer/source.js';

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
  for (const line of skippedLines(s.skipped, c, `${verb} into ${s.target}`)) ctx.out.line(line);
}

/** How many ids a grouped line names before "and N more": enough to look one up. */
const SAMPLE_IDS = 3;

/**
 * One line per distinct problem, not per item: a full disk fails every trace with the same
 * message, and 297 identical lines hide whether anything else went wrong. Items of one kind
 * with the same reason share a line with their count; a lone item keeps its own line, as does
 * every distinct reason. `--json` still lists every item.
 *
 * `action` completes "could not be …", e.g. `copied into sqlite:///b.db`.
 */
export function skippedLines(items: readonly SkippedItem[], c: Colors, action: string): string[] {
  const groups = new Map<string, SkippedItem[]>();
  for (const item of items) {
    const key = `${item.failed}\0${item.kind}\0${item.reason}`;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()].map((group) => {
    const { kind, reason, failed } = group[0]!;
    const mark = failed ? c.red('✗') : c.dim('-');
    if (group.length === 1) return `  ${mark} ${kind} ${group[0]!.id}: ${reason}`;
    const ids = group.slice(0, SAMPLE_IDS).map((k) => k.id);
    const more = group.length - ids.length;
    const sample = `${ids.join(', ')}${more > 0 ? ` and ${formatCount(more)} more` : ''}`;
    const what = plural(group.length, kind);
    return failed
      ? `  ${mark} ${what} could not be ${action}: ${reason} (${sample})`
      : `  ${mark} ${what} skipped: ${reason} (${sample})`;
  });
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
