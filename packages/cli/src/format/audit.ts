import type { AuditEventRecord } from '@portcullis/storage';
import { when } from '../output.ts';

// How `audit list` and `audit tail` show an event.

/** The columns of an event, in the order {@link eventCells} gives them. */
export const EVENT_HEADERS = [
  'TIME',
  'TYPE',
  'ACTOR',
  'CLIENT',
  'SUBJECT',
  'ADDRESS',
  'DETAILS',
] as const;

/**
 * An event in the CLI's JSON shape.
 *
 * @example
 * printJson(io, events.map(eventJson));
 */
export function eventJson(event: AuditEventRecord) {
  return {
    id: event.id,
    occurred_at: event.occurredAt.toISOString(),
    type: event.type,
    actor: event.actor,
    client_id: event.clientId,
    subject: event.subject,
    address: event.address,
    details: event.details,
  };
}

/**
 * An event as table cells (see {@link EVENT_HEADERS}): details as `key=value` pairs, a dash for
 * what is missing, and no control characters, so nothing recorded can drive the terminal.
 *
 * @example
 * printTable(io, EVENT_HEADERS, events.map(eventCells));
 */
export function eventCells(event: AuditEventRecord): string[] {
  const details = Object.entries(event.details ?? {})
    .map(([key, value]) => `${key}=${detailValue(value)}`)
    .join(' ');
  return [
    when(event.occurredAt),
    event.type,
    event.actor,
    event.clientId ?? '-',
    event.subject ?? '-',
    event.address ?? '-',
    details || '-',
  ].map(printable);
}

function detailValue(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function printable(text: string): string {
  return text.replace(CONTROL, '?');
}
