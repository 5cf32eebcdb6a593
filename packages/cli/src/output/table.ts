import stringWidth from 'string-width';
import type { Colors } from './colors.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
  /** Longer values are cut with `…`. */
  max?: number;
  /** Colours the padded cell; padding is computed on the plain text. */
  style?: (text: string, row: T, colors: Colors) => string;
}

/** Columns a string takes in a terminal: wide (CJK, emoji) characters take two, ANSI escapes none. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemes = new Intl.Segmenter();

/** `text` on one line, cut with `…` to at most `max` terminal columns, never inside a character. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  if (stringWidth(flat) <= max) return flat;
  let out = '';
  let width = 0;
  for (const { segment } of graphemes.segment(flat)) {
    const w = stringWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Rows as an aligned table with a header line; columns are separated by two spaces. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], colors: Colors) {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const raw = c.value(row);
      return c.max === undefined ? raw.replace(/\s+/g, ' ') : truncate(raw, c.max);
    }),
  );
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))),
  );
  const last = columns.length - 1;
  const line = (values: string[], style: (text: string, i: number) => string) =>
    values
      .map((v, i) => {
        const align = columns[i]!.align ?? 'left';
        // No trailing spaces after a left-aligned last column.
        const padded = i === last && align === 'left' ? v : pad(v, widths[i]!, align);
        return style(padded, i);
      })
      .join('  ');
  const out = [
    line(
      columns.map((c) => c.header),
      (t) => colors.bold(t),
    ),
  ];
  rows.forEach((row, r) => {
    out.push(
      line(cells[r]!, (t, i) => {
        const style = columns[i]!.style;
        return style ? style(t, row, colors) : t;
      }),
    );
  });
  return out.join('\n');
}

/** `key  value` lines with the keys aligned, for detail views. */
export function renderFields(
  fields: readonly (readonly [string, string])[],
  colors: Colors,
): string {
  const width = Math.max(0, ...fields.map(([k]) => displayWidth(k)));
  return fields.map(([k, v]) => `${colors.dim(pad(k, width, 'left'))}  ${v}`).join('\n');
}
