import { styleText } from 'node:util';
import type { Io } from './runtime.ts';

/** A text format of node:util `styleText`: `bold`, `red`, `dim`, or several at once. */
export type Format = Parameters<typeof styleText>[0];

/** A table cell shown in a format on a terminal, such as a `disabled` state in red. */
export interface StyledCell {
  text: string;
  format: Format;
}

/** A table cell: plain text, or text with a format for terminals. */
export type Cell = string | StyledCell;

/**
 * `text` in `format` when `stream` shows colour, otherwise `text` unchanged. node:util decides:
 * colour on a terminal, never with NO_COLOR (on a real terminal) or FORCE_COLOR=0, always with
 * FORCE_COLOR=1. So pipes, files and scripts get plain text, and `--json` never passes here.
 *
 * @example
 * io.stderr.write(`${paint(io.stderr, 'yellow', 'warning:')} the delay is short\n`);
 */
export function paint(stream: NodeJS.WritableStream, format: Format, text: string): string {
  if (text === '') return text;
  return styleText(format, text, { stream, validateStream: true });
}

/**
 * A table cell shown in `format` on a terminal.
 *
 * @example
 * printTable(io, ['NAME', 'STATUS'], [['alice', styled('disabled', 'red')]]);
 */
export function styled(text: string, format: Format): StyledCell {
  return { text, format };
}

/**
 * Writes one `warning: ...` line on stderr (the prefix in yellow on a terminal).
 *
 * @example
 * warn(io, 'development secrets: never use them in production');
 */
export function warn(io: Io, text: string): void {
  io.stderr.write(`${paint(io.stderr, 'yellow', 'warning:')} ${text}\n`);
}

/**
 * Prints `value` as pretty JSON (never coloured).
 *
 * @example
 * printJson(io, { applied: [] });
 */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Prints `value` as JSON on one line, for output read line by line (`audit tail`, `dev`).
 *
 * @example
 * printJsonLine(io, { issuer: 'http://localhost:3000' });
 */
export function printJsonLine(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Prints lines of text.
 *
 * @example
 * printLines(io, ['created client "billing"', `client_id: ${id}`]);
 */
export function printLines(io: Io, lines: readonly string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

const textOf = (cell: Cell | undefined): string =>
  cell === undefined ? '' : typeof cell === 'string' ? cell : cell.text;

/**
 * Prints rows as an aligned table under a header (bold on a terminal); `(none)` for no rows.
 * Styled cells are aligned by their text, so colour never shifts a column.
 *
 * @example
 * printTable(io, ['USERNAME', 'STATUS'], users.map((u) => [u.username, 'active']));
 */
export function printTable(
  io: Io,
  headers: readonly string[],
  rows: ReadonlyArray<readonly Cell[]>,
): void {
  if (rows.length === 0) {
    io.stdout.write('(none)\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => textOf(r[i]).length)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, i) => {
        const text = textOf(cell);
        // Padding goes outside the colour, so the last column's trailing spaces can be trimmed.
        const padding = ' '.repeat(Math.max(0, (widths[i] ?? 0) - text.length));
        return typeof cell === 'string'
          ? text + padding
          : paint(io.stdout, cell.format, text) + padding;
      })
      .join('  ')
      .trimEnd();
  printLines(io, [
    paint(io.stdout, 'bold', line(headers)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ]);
}

/**
 * An ISO timestamp, or a dash.
 *
 * @example
 * when(client.lastUsedAt); // '2025-01-01T12:00:00.000Z' or '-'
 */
export function when(date: Date | null | undefined): string {
  return date ? date.toISOString() : '-';
}
