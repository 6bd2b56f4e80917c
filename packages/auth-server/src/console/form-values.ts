/**
 * A form's list field (a textarea), one item a line: trimmed, blank lines dropped.
 *
 * @example
 * formLines('https://a.example/cb\r\n\r\n https://b.example/cb '); // two URIs
 */
export const formLines = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
