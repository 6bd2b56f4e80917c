/**
 * A span of seconds in its largest whole unit, for people: `45s`, `12m`, `5h`, `90d`.
 *
 * @example
 * roughly(7200); // '2h'
 */
export function roughly(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
