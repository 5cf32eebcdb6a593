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

/** Terminal width of a string: code points, ignoring ANSI escapes. */
export function displayWidth(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
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
