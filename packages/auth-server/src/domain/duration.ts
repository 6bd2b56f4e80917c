const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a duration as operators write it: a whole number followed by `s`, `m`, `h` or `d`
 * (`90d`, `15m`), or a plain number of seconds (`600`). Returns whole seconds, or `undefined`
 * for anything else (negative, fractional, empty, unknown unit, or beyond 100 years).
 *
 * @example
 * parseDuration('15m'); // 900
 * parseDuration('90d'); // 7776000
 * parseDuration('ten'); // undefined
 */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d{1,10})([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  return seconds <= 100 * 365 * 86_400 ? seconds : undefined;
}

/**
 * Writes seconds in the largest unit that divides them exactly, the inverse of
 * {@link parseDuration}.
 *
 * @example
 * formatDuration(900); // '15m'
 * formatDuration(90); // '90s'
 */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
