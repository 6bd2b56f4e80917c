import type { AuditEventType } from '@portcullis/storage';
import { CliError } from './errors.ts';
import { loadStorage } from './lazy.ts';

// The filters of `audit list` and `audit tail`, parsed from their options.

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i;

/** Shows at most 40 characters of what the operator typed, in an error message. */
const shown = (value: string) =>
  JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * `--since`: a duration back from `now` (`30m`, `1h`, `7d`; units s, m, h, d, w) or an ISO 8601
 * date or time (local time when it names no zone). Anything else is a usage error.
 *
 * @example
 * parseSince('1h', new Date('2025-01-01T12:00:00Z')); // 2025-01-01T11:00:00.000Z
 */
export function parseSince(value: string, now: Date): Date {
  const duration = /^(\d{1,9})([smhdw])$/.exec(value.trim());
  const since = duration
    ? new Date(now.getTime() - Number(duration[1]) * (UNITS[duration[2] as string] as number))
    : ISO.test(value.trim())
      ? new Date(value.trim())
      : undefined;
  if (since === undefined || Number.isNaN(since.getTime())) {
    throw new CliError(
      `--since must be a duration like 30m, 1h or 7d, or an ISO 8601 time; got ${shown(value)}`,
      2,
    );
  }
  return since;
}

/**
 * `--type`: one of the audit trail's event types; anything else is a usage error that lists them.
 *
 * @example
 * await parseEventType('signin.failed'); // 'signin.failed'
 */
export async function parseEventType(value: string): Promise<AuditEventType> {
  const { auditEventTypes } = await loadStorage();
  const type = auditEventTypes.find((t) => t === value.trim());
  if (!type) {
    throw new CliError(
      `--type ${shown(value)} is not an event type: one of ${auditEventTypes.join(', ')}`,
      2,
    );
  }
  return type;
}

/**
 * `--limit`: a whole number from 1 to 10000.
 *
 * @example
 * parseLimit('50'); // 50
 */
export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d{1,5}$/.test(value.trim()) || limit < 1 || limit > 10_000) {
    throw new CliError(`--limit must be a whole number from 1 to 10000; got ${shown(value)}`, 2);
  }
  return limit;
}
