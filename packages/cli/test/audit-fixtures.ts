import { type AuditEventType, createAuditRepository } from '@portcullis/storage';
import type { TestDatabase } from '@portcullis/storage/testing';
import { type CliResult, cliJson, cliWith } from './helpers.ts';

/** An audit event as `--json` prints it. */
export interface EventJson {
  id: string;
  occurred_at: string;
  type: AuditEventType;
  actor: string;
  client_id: string | null;
  subject: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

/** Runs the CLI in process as the named operator (PORTCULLIS_ACTOR). */
export function as(
  database: TestDatabase,
  actor: string,
  args: string[],
  stdin = '',
): Promise<CliResult> {
  return cliWith(database, args, { env: { PORTCULLIS_ACTOR: actor }, stdin });
}

/** The events `portcullis audit list ...args` prints. */
export function auditEvents(database: TestDatabase, args: string[] = []): Promise<EventJson[]> {
  return cliJson<EventJson[]>(database, ['audit', 'list', ...args]);
}

/**
 * Records an event by the system, now or (written directly, as the trail has no back-dating) at
 * `at`.
 */
export function recordEvent(
  database: TestDatabase,
  type: AuditEventType,
  fields: { clientId?: string; at?: Date } = {},
): Promise<unknown> {
  return fields.at
    ? database.db('audit_events').insert({
        type,
        actor: 'system',
        client_id: fields.clientId ?? null,
        occurred_at: fields.at,
        details: JSON.stringify({ note: 'inserted by the test' }),
      })
    : createAuditRepository(database.db).record({
        type,
        actor: 'system',
        clientId: fields.clientId ?? null,
        details: { note: 'inserted by the test' },
      });
}
