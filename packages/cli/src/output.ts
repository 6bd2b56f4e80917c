import type { Io } from './runtime.ts';

/** Prints `value` as pretty JSON. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints lines of text. */
export function printLines(io: Io, lines: readonly string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** Prints rows as an aligned table with a header. */
export function printTable(
  io: Io,
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): void {
  if (rows.length === 0) {
    io.stdout.write('(none)\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  printLines(io, [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]);
}

/** An ISO timestamp, or a dash. */
export function when(date: Date | null | undefined): string {
  return date ? date.toISOString() : '-';
}
